import type { Attributes, Meter } from '@opentelemetry/api';
import { catalogError, type LabelValueOptions, labelNormalizer, resolveLabelValues } from './labels.js';
import type { Catalog, ConfigurableLabelSet, MetricDefinition, RecordersOf } from './types.js';

/** Options shared by everything that creates catalog instruments. */
export interface CatalogOptions {
  /**
   * Prefix of every instrument name: `divan` gives `divan.chat.send` -> `divan_chat_send_total`.
   * Lower-case letters, digits and `_`, starting with a letter.
   * @default 'divan'
   */
  namespace?: string;
  /**
   * Allowed values of the configurable label sets (campus ids, Socket.IO events, ...). Values
   * outside a set are recorded as `other`. Each set has a maximum size (`MAX_CONFIGURED_VALUES`).
   * @default DEFAULT_LABEL_VALUES
   */
  labelValues?: LabelValueOptions;
}

/** {@link CatalogOptions} after defaults and validation. */
export interface ResolvedCatalogOptions {
  readonly namespace: string;
  readonly labelValues: { readonly [S in ConfigurableLabelSet]: readonly string[] };
}

export const DEFAULT_NAMESPACE = 'divan';
const NAMESPACE = /^[a-z][a-z0-9_]{0,31}$/;

/** Applies defaults and checks options; throws `SIGHTLINE_CATALOG_*` errors naming the bad option. */
export function resolveCatalogOptions(options: CatalogOptions | undefined): ResolvedCatalogOptions {
  const namespace = options?.namespace ?? DEFAULT_NAMESPACE;
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw catalogError(
      'SIGHTLINE_CATALOG_NAMESPACE',
      `namespace: expected lower-case letters, digits and _ starting with a letter, got ${JSON.stringify(namespace)}`,
    );
  }
  return { namespace, labelValues: resolveLabelValues(options?.labelValues) };
}

/** The OpenTelemetry instrument name of a definition, e.g. `divan.chat.send`. */
export function instrumentName(definition: MetricDefinition, namespace: string = DEFAULT_NAMESPACE): string {
  return `${namespace}.${definition.name}`;
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * Builds the attribute object for one recording: exactly the catalog's labels, each value
 * folded through its rule, so a JavaScript caller's unknown key is dropped and a bad value is `other`.
 */
function attributeBuilder(
  definition: MetricDefinition,
  labelValues: ResolvedCatalogOptions['labelValues'],
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

/** Creates the instrument for one synchronous definition and wraps it in a label-folding recorder. */
export function createRecorder(meter: Meter, definition: MetricDefinition, options: ResolvedCatalogOptions): unknown {
  const name = instrumentName(definition, options.namespace);
  const toAttributes = attributeBuilder(definition, options.labelValues);
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
      throw catalogError(
        'SIGHTLINE_CATALOG_KIND',
        `${name}: observable gauges are created by the component that observes them, not as recorders`,
      );
  }
}

/** Recorders for every synchronous definition of `catalog`, keyed like the catalog. */
export function createRecorders<C extends Catalog>(
  meter: Meter,
  catalog: C,
  options: ResolvedCatalogOptions,
): RecordersOf<C> {
  const recorders: Record<string, unknown> = {};
  for (const [id, definition] of Object.entries(catalog)) {
    if (definition.kind !== 'observable_gauge') recorders[id] = createRecorder(meter, definition, options);
  }
  return Object.freeze(recorders) as RecordersOf<C>;
}

/** Builds the attribute folding for one definition; for components that create their own instruments. */
export function attributesFor(
  definition: MetricDefinition,
  options: ResolvedCatalogOptions,
): (labels: unknown) => Attributes {
  return attributeBuilder(definition, options.labelValues);
}
