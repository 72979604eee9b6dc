/** Which seed spec a metric comes from: 000/001 Divan, 002 bambisleep, 003 Aura, 004 Panic System. */
export type SpecId = '000' | '001' | '002' | '003' | '004';

/** How the catalog groups metrics; also the order of the README table. */
export type MetricGroup = 'auth' | 'rate_limit' | 'realtime' | 'domain' | 'infrastructure' | 'jobs' | 'business';

/**
 * The OpenTelemetry instrument behind a metric. `observable_gauge` instruments are created by the
 * component that can observe them (e.g. `instrumentSocketIO`), never by `createDomainMetrics`.
 */
export type InstrumentKind = 'counter' | 'updown' | 'histogram' | 'gauge' | 'observable_gauge';

/** Label sets whose values the service configures (a campus list, its Socket.IO events, ...). */
export type ConfigurableLabelSet =
  | 'campusIds'
  | 'activityKinds'
  | 'socketNamespaces'
  | 'socketEvents'
  | 'currencies'
  | 'plans'
  | 'webhookProviders'
  | 'workflowTypes';

/**
 * How a label stays bounded. Every value that breaks the rule is recorded as `other`.
 * - `enum`: a fixed set from the catalog.
 * - `configured`: a set the service passes in options (at most a fixed number of values).
 * - `ip_prefix`: IPv4 /16 (`10.1.0.0/16`) or IPv6 /32 (`2001:db8::/32`), never a full address.
 * - `user_id_prefix`: the first two hex characters of a user id.
 * - `radius_bucket`: the smallest bucket that holds the value (120 m -> `250`); above the largest, `other`.
 * - `identifier`: a name that comes from code (job, stream, error class), matching
 *   `[A-Za-z_/][A-Za-z0-9_.:/-]{0,63}`; `maxValues` sizes the instrument's cardinality limit.
 */
export type LabelRule =
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'configured'; readonly set: ConfigurableLabelSet }
  | { readonly kind: 'ip_prefix'; readonly maxValues: number }
  | { readonly kind: 'user_id_prefix' }
  | { readonly kind: 'radius_bucket'; readonly buckets: readonly number[] }
  | { readonly kind: 'identifier'; readonly maxValues: number };

/** Where a spec names (or implies) this metric, and under which original name. */
export interface SpecReference {
  readonly spec: SpecId;
  /** The spec's metric name, or a short description when the spec only describes it. */
  readonly name: string;
  /** `false` when the spec describes the metric without naming it (a panel, an alert). @default true */
  readonly named?: boolean;
  /** How the spec's metric maps onto this one, when it is not one to one. */
  readonly note?: string;
}

/** One metric of the catalog. Names are relative to the namespace (`chat.send` -> `divan.chat.send`). */
export interface MetricDefinition {
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit; counts use curly-brace annotations so Prometheus adds no unit suffix. */
  readonly unit: string;
  readonly description: string;
  readonly group: MetricGroup;
  readonly labels: { readonly [label: string]: LabelRule };
  readonly specs: readonly SpecReference[];
  /** Explicit histogram bucket boundaries, in the metric's unit. */
  readonly buckets?: readonly number[];
}

/** A set of named metric definitions; the key becomes the recorder's property name. */
export type Catalog = { readonly [id: string]: MetricDefinition };

/** A spec metric that no catalog instrument emits: mapped to another series, or not emitted. */
export interface SpecMapping {
  readonly spec: SpecId;
  readonly name: string;
  /** `false` when the spec describes the metric without naming it. @default true */
  readonly named?: boolean;
  /** The Prometheus series that carries it, or `null` when it is not emitted. */
  readonly series: string | null;
  /** Who emits the series, or why the metric is not emitted. */
  readonly note: string;
}

type LabelValue<R> = R extends { readonly kind: 'radius_bucket' }
  ? number | string
  : R extends { readonly kind: 'enum'; readonly values: readonly (infer V)[] }
    ? V | (string & {})
    : string;

/** The label object a recorder takes: exactly the catalog's label names, nothing else. */
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

/** Recorders for every synchronous metric of a catalog, keyed like the catalog. */
export type RecordersOf<C extends Catalog> = {
  readonly [K in keyof C as C[K]['kind'] extends 'observable_gauge' ? never : K]: RecorderFor<C[K]>;
};
