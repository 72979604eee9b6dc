// Package sightlineadmissionextension is Sightline's admission control for the OTLP receiver (type
// sightline_admission), used as a gRPC and HTTP server middleware. It lets at most max_in_flight
// export requests into the pipeline at a time, up to max_waiting more wait at most max_wait for a
// slot, and everything beyond is refused at once with a status OTLP exporters retry (gRPC UNAVAILABLE
// with RetryInfo, HTTP 503 with Retry-After). Offered more than it can process, the collector keeps
// accepting at its capacity and tells the excess to come back, instead of letting requests pile up
// until clients time out and memory grows.
package sightlineadmissionextension

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
)

var componentType = component.MustNewType("sightline_admission")

// NewFactory returns the factory the collector builder registers.
func NewFactory() extension.Factory {
	return extension.NewFactory(componentType, createDefaultConfig, create, component.StabilityLevelBeta)
}

// Defaults, as collector/otelcol.yaml sets them: 4 requests in the pipeline keep a core busy with
// SDK-sized batches; 16 more may wait 2 s (well inside an SDK's 10 s export timeout); with requests
// capped at 4 MiB, at most 20 decoded requests are held.
func createDefaultConfig() component.Config {
	return &Config{MaxInFlight: 4, MaxWaiting: 16, MaxWait: 2 * time.Second, RetryAfter: time.Second}
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newAdmission(cfg.(*Config), set.TelemetrySettings)
}
