import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { labelValueCount } from './labels.js';
import type { Catalog, LabelSet, MetricDefinition } from './types.js';

/** No instrument of a catalog may hold more series than this, whatever its labels allow. */
export const MAX_CARDINALITY_LIMIT = 2000;

/**
 * The most series one instrument keeps per collection: the product of its labels' value counts
 * (`other` included), capped, plus one for the `otel.metric.overflow` series the SDK adds.
 */
export function cardinalityLimitOf(
  definition: MetricDefinition,
  labelSets: { readonly [set: string]: LabelSet },
): number {
  const combinations = Object.values(definition.labels).reduce(
    (product, rule) => product * labelValueCount(rule, labelSets),
    1,
  );
  return Math.min(combinations, MAX_CARDINALITY_LIMIT) + 1;
}

/**
 * Views for the MeterProvider: a cardinality limit on every instrument of the catalogs and explicit
 * buckets on their histograms. `init()` builds them from the catalogs it is given, the same objects
 * `createDomainMetrics` creates instruments from, so names cannot disagree.
 */
export function catalogViews(catalogs: readonly Catalog[]): ViewOptions[] {
  return catalogs.flatMap((catalog) =>
    Object.entries(catalog.metrics).map(([id, definition]) => ({
      instrumentName: catalog.instruments[id]?.name ?? `${catalog.namespace}.${definition.name}`,
      aggregationCardinalityLimit: catalog.instruments[id]?.cardinalityLimit ?? MAX_CARDINALITY_LIMIT + 1,
      ...(definition.buckets && {
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: [...definition.buckets] },
        },
      }),
    })),
  );
}
