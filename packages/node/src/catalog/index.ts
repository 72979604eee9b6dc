import type { Meter } from '@opentelemetry/api';
import { businessCatalog, domainCatalog } from './definitions.js';
import { type CatalogOptions, createRecorders, resolveCatalogOptions } from './recorders.js';
import type { RecordersOf } from './types.js';

/** Typed recorders for every synchronous metric of the domain catalog. */
export type DomainMetrics = RecordersOf<typeof domainCatalog>;
/** Typed recorders for the opt-in business metrics (payments, subscriptions, DORA, workflows, cache). */
export type BusinessMetrics = RecordersOf<typeof businessCatalog>;
/** Options of {@link createDomainMetrics} and {@link createBusinessMetrics}. */
export type DomainMetricsOptions = CatalogOptions;

/**
 * Creates the catalog's instruments on `meter` and returns a typed recorder for each:
 * `metrics.presenceHeartbeats.inc({ campus_id })`. Label names are checked at compile time;
 * label values outside their bounded set are recorded as `other`.
 * Throws `SIGHTLINE_CATALOG_*` errors for bad options.
 */
export function createDomainMetrics(meter: Meter, options?: DomainMetricsOptions): DomainMetrics {
  return createRecorders(meter, domainCatalog, resolveCatalogOptions(options));
}

/** Opt-in: the business metrics of specs 000 and 002–004, created the same way as {@link createDomainMetrics}. */
export function createBusinessMetrics(meter: Meter, options?: DomainMetricsOptions): BusinessMetrics {
  return createRecorders(meter, businessCatalog, resolveCatalogOptions(options));
}

export { businessCatalog, domainCatalog, specMappings } from './definitions.js';
export {
  DEFAULT_LABEL_VALUES,
  identifier,
  ipPrefix,
  type LabelValueOptions,
  MAX_CONFIGURED_VALUES,
  OTHER,
  radiusBucket,
  userIdPrefix,
} from './labels.js';
export { type CatalogOptions, DEFAULT_NAMESPACE, instrumentName } from './recorders.js';
export { prometheusSeries, renderMetricsTable } from './table.js';
export type {
  Catalog,
  ConfigurableLabelSet,
  CounterRecorder,
  GaugeRecorder,
  HistogramRecorder,
  InstrumentKind,
  LabelArgs,
  LabelRule,
  LabelsOf,
  MetricDefinition,
  MetricGroup,
  RecorderFor,
  RecordersOf,
  SpecId,
  SpecMapping,
  SpecReference,
  UpDownCounterRecorder,
} from './types.js';
export { cardinalityLimitOf, catalogViews, MAX_CARDINALITY_LIMIT } from './views.js';
