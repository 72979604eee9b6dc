// Shared by the catalog, jobs and socketio tests: real OTel SDK providers with in-memory sinks.
import { context, type Meter, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { type Catalog, defineCatalog, resolveCatalogs } from '../src/catalog/index.ts';
import { catalogViews } from '../src/catalog/views.ts';
import { init } from '../src/init.ts';
import type { Sightline } from '../src/types.ts';

/** A MeterProvider whose metrics a test reads on demand through the in-memory exporter. */
export interface MetricsHarness {
  readonly meter: Meter;
  /** Exports now and returns the named metric from the latest export, or undefined. */
  collect(name: string): Promise<MetricData | undefined>;
  /** Data points of the named metric, each as `{ attributes, value }`. */
  points(name: string): Promise<Array<{ attributes: Record<string, unknown>; value: unknown }>>;
  shutdown(): Promise<void>;
}

export function metricsHarness(views: ViewOptions[] = []): MetricsHarness {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // A long interval: the tests export explicitly with forceFlush.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader], views });
  const collect = async (name: string): Promise<MetricData | undefined> => {
    exporter.reset();
    await reader.forceFlush();
    const exported = exporter.getMetrics().at(-1);
    return exported?.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === name);
  };
  return {
    meter: provider.getMeter('sightline-test'),
    collect,
    async points(name) {
      const metric = await collect(name);
      return (metric?.dataPoints ?? []).map((point: DataPoint<unknown>) => ({
        attributes: { ...point.attributes },
        value: point.value,
      }));
    },
    shutdown: () => provider.shutdown(),
  };
}

/** The value of the data point whose attributes equal `attributes` exactly, or undefined. */
export function valueAt(
  points: Array<{ attributes: Record<string, unknown>; value: unknown }>,
  attributes: Record<string, unknown>,
): unknown {
  const wanted = JSON.stringify(Object.entries(attributes).sort());
  return points.find((point) => JSON.stringify(Object.entries(point.attributes).sort()) === wanted)?.value;
}

/** A tracer whose finished spans land in memory; also enables async context propagation. */
export interface TracingHarness {
  readonly tracer: Tracer;
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

export function tracingHarness(): TracingHarness {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  return {
    tracer: provider.getTracer('sightline-test'),
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      await provider.shutdown();
      context.disable();
    },
  };
}

/** A small service catalog that uses every label rule: the engine's tests record through it. */
export const shopCatalog = defineCatalog({
  namespace: 'shop',
  labelSets: { regions: { max: 8, defaults: ['eu'] } },
  metrics: {
    ordersPlaced: {
      name: 'orders.placed',
      kind: 'counter',
      unit: '{order}',
      description: 'Orders placed by region',
      labels: { region: { kind: 'configured', set: 'regions' } },
    },
    logins: {
      name: 'logins',
      kind: 'counter',
      unit: '{login}',
      description: 'Logins by outcome',
      labels: { outcome: { kind: 'enum', values: ['success', 'failure'] } },
    },
    failuresByIp: {
      name: 'failures.by_ip',
      kind: 'counter',
      unit: '{failure}',
      description: 'Failures by client IP prefix',
      labels: { ip_prefix: { kind: 'ip_prefix', maxValues: 1000 } },
    },
    visitsByIp: {
      name: 'visits.by_ip',
      kind: 'counter',
      unit: '{visit}',
      description: 'Visits by client IP prefix',
      labels: { ip_prefix: { kind: 'ip_prefix', maxValues: 1000 } },
    },
    failuresByUser: {
      name: 'failures.by_user',
      kind: 'counter',
      unit: '{failure}',
      description: 'Failures by user id prefix',
      labels: { user_id_prefix: { kind: 'user_id_prefix' } },
    },
    searches: {
      name: 'searches',
      kind: 'counter',
      unit: '{search}',
      description: 'Searches by radius',
      labels: { radius: { kind: 'radius_bucket', buckets: [50, 100, 250, 500, 1000] } },
    },
    searchDuration: {
      name: 'search.duration',
      kind: 'histogram',
      unit: 's',
      description: 'Search time by radius',
      labels: { radius: { kind: 'radius_bucket', buckets: [50, 100, 250, 500, 1000] } },
      buckets: [0.001, 0.01, 0.1, 1],
    },
    tokensIssued: {
      name: 'tokens.issued',
      kind: 'counter',
      unit: '{token}',
      description: 'Tokens issued by type',
      labels: { token_type: { kind: 'enum', values: ['access', 'refresh'] } },
    },
    cartsOpen: {
      name: 'carts.open',
      kind: 'updown',
      unit: '{cart}',
      description: 'Open carts',
      labels: {},
    },
    queueDepth: {
      name: 'queue.depth',
      kind: 'gauge',
      unit: '{message}',
      description: 'Messages waiting per queue',
      labels: { queue: { kind: 'identifier', maxValues: 4 } },
    },
    warehouseLoad: {
      name: 'warehouse.load',
      kind: 'observable_gauge',
      unit: '{order}',
      description: 'Orders in the warehouse (observed elsewhere)',
      labels: {},
    },
  },
});

/**
 * A disabled Sightline given `catalogs`, recording on `meter` (a harness's): what `init()` returns,
 * with the harness's MeterProvider in place of the global one. Its views: `catalogViews(sightline.catalogs)`.
 */
export function sightlineOn(meter: Meter, catalogs: readonly Catalog[] = [shopCatalog]): Sightline {
  const sightline = init({ enabled: false, catalogs, logDestination: { write: () => {} } });
  return { ...sightline, meter };
}

/** The views `init({ catalogs })` applies. */
export function viewsFor(catalogs: readonly Catalog[] = [shopCatalog]): ViewOptions[] {
  return catalogViews(resolveCatalogs(catalogs).catalogs);
}
