package sightlinepiiprocessor

import (
	"errors"
	"fmt"
)

// DefaultRulesFile is where the slim image puts pii/rules.yaml (collector/Dockerfile).
const DefaultRulesFile = "/etc/otelcol/pii-rules.yaml"

// Config of the sightline_pii processor.
type Config struct {
	// RulesFile is the rules file (pii/rules.yaml in the repository). @default /etc/otelcol/pii-rules.yaml
	RulesFile string `mapstructure:"rules_file"`
	// Spans says what is scrubbed in traces: `all` (every string at any depth), or `labels`: only
	// span names and LabelAttributes, for a pipeline that feeds span metrics and exports no spans.
	// @default all
	Spans string `mapstructure:"spans"`
	// LabelAttributes are the span attributes scrubbed when Spans is `labels`. @default [http.route]
	LabelAttributes []string `mapstructure:"label_attributes"`
}

// Validate compiles the rules file, so `otelcol validate` and start-up both fail on a bad rule,
// naming it.
func (c *Config) Validate() error {
	if c.RulesFile == "" {
		return errors.New("rules_file: must not be empty")
	}
	switch c.Spans {
	case "all", "labels":
	default:
		return fmt.Errorf("spans: want all or labels, got %q", c.Spans)
	}
	if _, err := LoadRules(c.RulesFile); err != nil {
		return fmt.Errorf("rules_file: %w", err)
	}
	return nil
}
