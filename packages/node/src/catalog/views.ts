import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { businessCatalog, domainCatalog } from './definitions.js';
import { labelValueCount } from './labels.js';
import { DEFAULT_NAMESPACE, instrumentName } from './recorders.js';
import type { MetricDefinition } from './types.js';

/** No instrument of the catalog may hold more series than this, whatever its labels allow. */
export const MAX_CARDINALITY_LIMIT = 2000;

/**
 * The most series one instrument keeps per collection: the product of its labels' value counts
 * (`other` included), capped, plus one for the `otel.metric.overflow` series the SDK adds.
 */
export function cardinalityLimitOf(definition: MetricDefinition): number {
  const combinations = Object.values(definition.labels).reduce((product, rule) => product * labelValueCount(rule), 1);
  return Math.min(combinations, MAX_CARDINALITY_LIMIT) + 1;
}

/** Every definition of the catalog, domain then opt-in business. */
export function allDefinitions(): MetricDefinition[] {
  return [...Object.values(domainCatalog), ...Object.values(businessCatalog)];
}

/**
 * Views for the MeterProvider: a cardinality limit on every catalog instrument and explicit buckets
 * on its histograms. Pass the same `namespace` as to `createDomainMetrics`.
 */
export function catalogViews(options?: { namespace?: string }): ViewOptions[] {
  const namespace = options?.namespace ?? DEFAULT_NAMESPACE;
  return allDefinitions().map((definition) => ({
    instrumentName: instrumentName(definition, namespace),
    aggregationCardinalityLimit: cardinalityLimitOf(definition),
    ...(definition.buckets && {
      aggregation: {
        type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
        options: { boundaries: [...definition.buckets] },
      },
    }),
  }));
}
