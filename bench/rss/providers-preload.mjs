// Preloaded with --import by bench/nodesdk-rss.ts: the same exporters, processors, readers and
// instrumentations as nodesdk-preload.mjs, started as providers directly (what init() does), without NodeSDK.

import { context, logs, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { instrumentations as sightlineInstrumentations } from './instrumentations.mjs';

const url = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const resource = resourceFromAttributes({ 'service.name': 'rss-bench' });
const instrumentations = sightlineInstrumentations();
registerInstrumentations({ instrumentations });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const meterProvider = new MeterProvider({
  resource,
  readers: [
    new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url }), exportIntervalMillis: 60_000 }),
  ],
});
metrics.setGlobalMeterProvider(meterProvider);
for (const instrumentation of instrumentations) instrumentation.setMeterProvider(meterProvider);
trace.setGlobalTracerProvider(
  new TracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
  }),
);
logs.setGlobalLoggerProvider(
  new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url }) })],
  }),
);
