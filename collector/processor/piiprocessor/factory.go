// Package sightlinepiiprocessor is the Sightline PII processor (type sightline_pii): one pass
// over every string of every signal, at any depth, with the rules of pii/rules.yaml.
package sightlinepiiprocessor

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

var componentType = component.MustNewType("sightline_pii")

// NewFactory returns the factory the collector builder registers.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		componentType,
		createDefaultConfig,
		processor.WithTraces(createTraces, component.StabilityLevelBeta),
		processor.WithLogs(createLogs, component.StabilityLevelBeta),
		processor.WithMetrics(createMetrics, component.StabilityLevelBeta),
	)
}

func createDefaultConfig() component.Config {
	return &Config{RulesFile: DefaultRulesFile, Spans: "all", LabelAttributes: []string{"http.route"}}
}

var capabilities = processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true})

func newScrubber(cfg component.Config) (*scrubber, error) {
	c := cfg.(*Config)
	rules, err := LoadRules(c.RulesFile)
	if err != nil {
		return nil, err
	}
	return &scrubber{rules: rules, labelsOnly: c.Spans == "labels", labelAttributes: c.LabelAttributes}, nil
}

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	s, err := newScrubber(cfg)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, s.processTraces, capabilities)
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	s, err := newScrubber(cfg)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, s.processLogs, capabilities)
}

func createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	s, err := newScrubber(cfg)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewMetrics(ctx, set, cfg, next, s.processMetrics, capabilities)
}
