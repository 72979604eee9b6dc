import type { Attributes, Meter } from '@opentelemetry/api';
import { errors } from '../errors.js';
import { labelNormalizer, type ResolvedLabelValues } from './labels.js';
import type { Catalog, MetricDefinition, Recorders } from './types.js';

/** The OpenTelemetry instrument name of a definition in `namespace`, e.g. `shop.chat.send`. */
export function instrumentName(definition: MetricDefinition, namespace: string): string {
  return `${namespace}.${definition.name}`;
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * Builds the attribute object for one recording: exactly the catalog's labels, each value
 * folded through its rule, so a JavaScript caller's unknown key is dropped and a bad value is `other`.
 */
function attributeBuilder(
  definition: MetricDefinition,
  labelValues: ResolvedLabelValues,
): (labels: unknown) => Attributes {
  const normalizers = Object.entries(definition.labels).map(
    ([key, rule]) => [key, labelNormalizer(rule, labelValues)] as const,
  );
  if (normalizers.length === 0) return () => NO_ATTRIBUTES;
  return (labels) => {
    const given = (typeof labels === 'object' && labels !== null ? labels : {}) as Record<string, unknown>;
    const attributes: Attributes = {};
    for (const [key, normalize] of normalizers) attributes[key] = normalize(given[key]);
    return attributes;
  };
}

type AnyArgs = [labels?: unknown];

/**
 * Creates the instrument for one synchronous definition of `catalog` and wraps it in a label-folding
 * recorder; `labelValues` are the catalog's resolved label sets.
 */
export function createRecorder(
  meter: Meter,
  catalog: Catalog,
  definition: MetricDefinition,
  labelValues: ResolvedLabelValues,
): unknown {
  const name = instrumentName(definition, catalog.namespace);
  const toAttributes = attributeBuilder(definition, labelValues);
  const base = { unit: definition.unit, description: definition.description };
  switch (definition.kind) {
    case 'counter': {
      const counter = meter.createCounter(name, base);
      return {
        inc: (...[labels]: AnyArgs) => counter.add(1, toAttributes(labels)),
        add: (value: number, ...[labels]: AnyArgs) => counter.add(value, toAttributes(labels)),
      };
    }
    case 'updown': {
      const counter = meter.createUpDownCounter(name, base);
      return {
        inc: (...[labels]: AnyArgs) => counter.add(1, toAttributes(labels)),
        dec: (...[labels]: AnyArgs) => counter.add(-1, toAttributes(labels)),
        add: (value: number, ...[labels]: AnyArgs) => counter.add(value, toAttributes(labels)),
      };
    }
    case 'histogram': {
      const advice = definition.buckets ? { explicitBucketBoundaries: [...definition.buckets] } : undefined;
      const histogram = meter.createHistogram(name, { ...base, ...(advice && { advice }) });
      return { record: (value: number, ...[labels]: AnyArgs) => histogram.record(value, toAttributes(labels)) };
    }
    case 'gauge': {
      const gauge = meter.createGauge(name, base);
      return { record: (value: number, ...[labels]: AnyArgs) => gauge.record(value, toAttributes(labels)) };
    }
    case 'observable_gauge':
      throw errors.CATALOG_KIND(
        `${name}: observable gauges are created by the component that observes them, not as recorders`,
      );
  }
}

/** Recorders for every synchronous definition of `catalog`, keyed like the catalog. */
export function createRecorders<C extends Catalog>(
  meter: Meter,
  catalog: C,
  labelValues: ResolvedLabelValues,
): Recorders<C> {
  const recorders: Record<string, unknown> = {};
  for (const [id, definition] of Object.entries(catalog.metrics)) {
    if (definition.kind !== 'observable_gauge') recorders[id] = createRecorder(meter, catalog, definition, labelValues);
  }
  return Object.freeze(recorders) as Recorders<C>;
}

/** Builds the attribute folding for one definition; for components that create their own instruments. */
export function attributesFor(
  definition: MetricDefinition,
  labelValues: ResolvedLabelValues,
): (labels: unknown) => Attributes {
  return attributeBuilder(definition, labelValues);
}
