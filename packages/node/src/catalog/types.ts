/**
 * The OpenTelemetry instrument behind a metric. `observable_gauge` instruments are created by the
 * component that can observe them (e.g. `instrumentSocketIO`), never by `createDomainMetrics`.
 */
export type InstrumentKind = 'counter' | 'updown' | 'histogram' | 'gauge' | 'observable_gauge';

/**
 * How a label stays bounded. Every value that breaks the rule is recorded as `other`.
 * - `enum`: a fixed set from the definition.
 * - `configured`: a set of the catalog's `labelSets` whose values the service passes to
 *   `createDomainMetrics` (at most the set's `max`).
 * - `ip_prefix`: IPv4 /16 (`10.1.0.0/16`) or IPv6 /32 (`2001:db8::/32`), never a full address.
 * - `user_id_prefix`: the first two hex characters of a user id.
 * - `radius_bucket`: the smallest bucket that holds the value (120 m -> `250`); above the largest, `other`.
 * - `identifier`: a name that comes from code (job, stream, error class), matching
 *   `[A-Za-z_/][A-Za-z0-9_.:/-]{0,63}`; `maxValues` sizes the instrument's cardinality limit.
 */
export type LabelRule<S extends string = string> =
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'configured'; readonly set: S }
  | { readonly kind: 'ip_prefix'; readonly maxValues: number }
  | { readonly kind: 'user_id_prefix' }
  | { readonly kind: 'radius_bucket'; readonly buckets: readonly number[] }
  | { readonly kind: 'identifier'; readonly maxValues: number };

/** A label set whose values the service configures (its campus list, its Socket.IO events, ...). */
export interface LabelSet {
  /** The most values a service may configure; it sizes the cardinality limit of every metric using the set. */
  readonly max: number;
  /** Values used when the service configures none. @default [] */
  readonly defaults?: readonly string[];
}

/**
 * One metric. `name` is relative to the catalog's namespace (`chat.send` in namespace `shop` is the
 * instrument `shop.chat.send`, the Prometheus series `shop_chat_send_total`). A definition may carry
 * more fields (documentation, spec references); the engine ignores them.
 */
export interface MetricDefinition<S extends string = string> {
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit; counts use curly-brace annotations so Prometheus adds no unit suffix. */
  readonly unit: string;
  readonly description: string;
  readonly labels: { readonly [label: string]: LabelRule<S> };
  /** Explicit histogram bucket boundaries, in the metric's unit. */
  readonly buckets?: readonly number[];
}

/** Named metric definitions; the key becomes the recorder's property name. */
export type MetricDefinitions<S extends string = string> = { readonly [id: string]: MetricDefinition<S> };

/** What `defineCatalog` takes. */
export interface CatalogSpec<M extends MetricDefinitions<S>, S extends string> {
  /**
   * Prefix of every instrument name, and of the SDK's own metrics (jobs, Socket.IO, unhandled
   * exceptions, probes) when the catalog is passed to `init({ catalogs })`. Lower-case letters,
   * digits and `_`, starting with a letter.
   */
  readonly namespace: string;
  /** The configurable label sets the definitions' `configured` rules name. @default {} */
  readonly labelSets?: { readonly [K in S]: LabelSet };
  readonly metrics: M;
}

/** What the views of `init({ catalogs })` apply to one metric. */
export interface CatalogInstrument {
  /** The OpenTelemetry instrument name, `<namespace>.<name>`. */
  readonly name: string;
  /**
   * The most series the instrument keeps per collection: the product of its labels' value counts
   * (`other` included), capped at 2000, plus one for the `otel.metric.overflow` series.
   */
  readonly cardinalityLimit: number;
}

/** A validated, frozen catalog: the result of `defineCatalog`, the only form `init` and `createDomainMetrics` accept. */
export interface Catalog<M extends MetricDefinitions = MetricDefinitions, S extends string = string> {
  readonly namespace: string;
  readonly labelSets: { readonly [K in S]: LabelSet };
  readonly metrics: M;
  /** Per metric id: its instrument name and cardinality limit. */
  readonly instruments: { readonly [K in keyof M]: CatalogInstrument };
}

/** The label set names of a catalog. */
export type LabelSetsOf<C extends Catalog> = C extends Catalog<MetricDefinitions, infer S> ? S : never;

/** Options of `createDomainMetrics`. */
export interface DomainMetricsOptions<C extends Catalog = Catalog> {
  /**
   * Allowed values per configurable label set; values outside a set are recorded as `other`.
   * At most the set's `max` values. @default each set's `defaults`
   */
  labelValues?: { readonly [K in keyof C['labelSets']]?: readonly string[] };
}

type LabelValue<R> = R extends { readonly kind: 'radius_bucket' }
  ? number | string
  : R extends { readonly kind: 'enum'; readonly values: readonly (infer V)[] }
    ? V | (string & {})
    : string;

/** The label object a recorder takes: exactly the definition's label names, nothing else. */
export type LabelsOf<D extends MetricDefinition> = { readonly [K in keyof D['labels']]: LabelValue<D['labels'][K]> };

/** No argument for a metric without labels; one label object otherwise. */
export type LabelArgs<D extends MetricDefinition> = [keyof D['labels']] extends [never] ? [] : [labels: LabelsOf<D>];

/** A monotonic counter. */
export interface CounterRecorder<A extends unknown[]> {
  /** Adds 1. */
  inc(...labels: A): void;
  /** Adds a non-negative value. */
  add(value: number, ...labels: A): void;
}

/** A counter that can go down (connections, sessions). */
export interface UpDownCounterRecorder<A extends unknown[]> {
  inc(...labels: A): void;
  dec(...labels: A): void;
  add(value: number, ...labels: A): void;
}

/** A histogram; durations are in seconds. */
export interface HistogramRecorder<A extends unknown[]> {
  record(value: number, ...labels: A): void;
}

/** A gauge that holds the last recorded value. */
export interface GaugeRecorder<A extends unknown[]> {
  record(value: number, ...labels: A): void;
}

/** The recorder type for one definition. */
export type RecorderFor<D extends MetricDefinition> = D['kind'] extends 'counter'
  ? CounterRecorder<LabelArgs<D>>
  : D['kind'] extends 'updown'
    ? UpDownCounterRecorder<LabelArgs<D>>
    : D['kind'] extends 'histogram'
      ? HistogramRecorder<LabelArgs<D>>
      : GaugeRecorder<LabelArgs<D>>;

/** Recorders for every synchronous metric of some definitions, keyed like them. */
export type RecordersOf<M extends MetricDefinitions> = {
  readonly [K in keyof M as M[K]['kind'] extends 'observable_gauge' ? never : K]: RecorderFor<M[K]>;
};

/** What `createDomainMetrics(sightline, catalog)` returns: a typed recorder per synchronous metric. */
export type Recorders<C extends Catalog> = RecordersOf<C['metrics']>;
