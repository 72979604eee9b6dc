// The catalog engine: services declare their metrics with defineCatalog(), init() applies the views of
// every catalog it is given, createDomainMetrics() creates the recorders on the same instance.
import { errors } from '../errors.js';
import type { Sightline } from '../types.js';
import { DEFAULT_METRIC_NAMESPACE, type SdkCatalog, sdkCatalog } from './builtin.js';
import { isCatalog } from './define.js';
import { resolveLabelValues } from './labels.js';
import { createRecorders } from './recorders.js';
import type { Catalog, DomainMetricsOptions, Recorders } from './types.js';

/**
 * Creates the catalog's instruments on `sightline.meter` and returns a typed recorder for each:
 * `metrics.presenceHeartbeats.inc({ campus_id })`. Names come from the catalog's namespace; label names
 * are checked at compile time, label values outside their bounded set are recorded as `other`.
 * The catalog must be one `init({ catalogs })` was given, so its views (cardinality limits, buckets)
 * apply: otherwise it throws `SIGHTLINE_CATALOG_NOT_REGISTERED`. Bad `labelValues` throw
 * `SIGHTLINE_CATALOG_LABEL_VALUES` naming the set.
 */
export function createDomainMetrics<C extends Catalog>(
  sightline: Sightline,
  catalog: C,
  options?: DomainMetricsOptions<C>,
): Recorders<C> {
  if (!isCatalog(catalog)) throw errors.CATALOG_NOT_REGISTERED('catalog: expected the result of defineCatalog()');
  if (!sightline.catalogs.includes(catalog)) {
    throw errors.CATALOG_NOT_REGISTERED(
      `catalog "${catalog.namespace}" was not given to init({ catalogs }), so its views would not apply; ` +
        'pass it there (with --import, preload a module that calls init({ catalogs }) first)',
    );
  }
  return createRecorders(sightline.meter, catalog, resolveLabelValues(catalog.labelSets, options?.labelValues));
}

/** What `init()` derives from its `catalogs` option. */
export interface ResolvedCatalogs {
  /** The service's metric namespace: its catalogs', or `app` without one. */
  readonly namespace: string;
  /** The SDK's own catalog under that namespace, then the service's catalogs. */
  readonly catalogs: readonly [SdkCatalog, ...Catalog[]];
}

/**
 * Checks `init({ catalogs })`: every entry comes from `defineCatalog`, all share one namespace (a
 * service has one metric namespace, which the SDK's own metrics use too), and no instrument is defined
 * twice (two views on one instrument export it twice). Throws `SIGHTLINE_CATALOG_*`.
 */
export function resolveCatalogs(catalogs: unknown): ResolvedCatalogs {
  if (catalogs !== undefined && !Array.isArray(catalogs)) {
    throw errors.CATALOG_NOT_REGISTERED('catalogs: expected an array of defineCatalog() results');
  }
  const given = (catalogs ?? []) as unknown[];
  given.forEach((catalog, i) => {
    if (!isCatalog(catalog))
      throw errors.CATALOG_NOT_REGISTERED(`catalogs[${i}]: expected the result of defineCatalog()`);
  });
  const service = given as Catalog[];
  const namespace = service[0]?.namespace ?? DEFAULT_METRIC_NAMESPACE;
  const all: [SdkCatalog, ...Catalog[]] = [sdkCatalog(namespace), ...service];
  const owners = new Map<string, string>();
  all.forEach((catalog, index) => {
    const where = index === 0 ? 'the SDK' : `catalogs[${index - 1}]`;
    if (catalog.namespace !== namespace) {
      throw errors.CATALOG_CONFLICT(
        `${where}: namespace "${catalog.namespace}" differs from "${namespace}"; one service has one metric namespace`,
      );
    }
    for (const [id, instrument] of Object.entries(catalog.instruments)) {
      const owner = owners.get(instrument.name);
      if (owner !== undefined) {
        throw errors.CATALOG_CONFLICT(`${where}.metrics.${id}: ${instrument.name} is already defined by ${owner}`);
      }
      owners.set(instrument.name, where);
    }
  });
  return { namespace, catalogs: Object.freeze(all) };
}

export { defineCatalog } from './define.js';
export type {
  Catalog,
  CatalogInstrument,
  CatalogSpec,
  CounterRecorder,
  DomainMetricsOptions,
  GaugeRecorder,
  HistogramRecorder,
  InstrumentKind,
  LabelArgs,
  LabelRule,
  LabelSet,
  LabelSetsOf,
  LabelsOf,
  MetricDefinition,
  MetricDefinitions,
  RecorderFor,
  Recorders,
  RecordersOf,
  UpDownCounterRecorder,
} from './types.js';
