package sightlineadmissionextension

import (
	"errors"
	"fmt"
	"time"
)

// Config bounds how much export work the receiver takes on at once. Defaults: createDefaultConfig.
type Config struct {
	// MaxInFlight is how many export requests run through the pipeline at the same time.
	MaxInFlight int `mapstructure:"max_in_flight"`
	// MaxWaiting is how many more may wait for a slot; beyond it a request is refused at once.
	MaxWaiting int `mapstructure:"max_waiting"`
	// MaxWait is how long a request waits for a slot before it is refused (well under the SDKs'
	// 10 s export timeout, so the client gets a retryable answer rather than a deadline).
	MaxWait time.Duration `mapstructure:"max_wait"`
	// RetryAfter is the delay a refusal asks the client to wait (gRPC RetryInfo, HTTP Retry-After).
	RetryAfter time.Duration `mapstructure:"retry_after"`
}

// Validate names the bad key, so the collector refuses to start with it.
func (c *Config) Validate() error {
	var errs []error
	if c.MaxInFlight < 1 {
		errs = append(errs, fmt.Errorf("max_in_flight: must be at least 1, got %d", c.MaxInFlight))
	}
	if c.MaxWaiting < 0 {
		errs = append(errs, fmt.Errorf("max_waiting: must not be negative, got %d", c.MaxWaiting))
	}
	if c.MaxWait < 0 {
		errs = append(errs, fmt.Errorf("max_wait: must not be negative, got %s", c.MaxWait))
	}
	if c.RetryAfter < time.Second {
		errs = append(errs, fmt.Errorf("retry_after: must be at least 1s (HTTP Retry-After counts whole seconds), got %s", c.RetryAfter))
	}
	return errors.Join(errs...)
}
