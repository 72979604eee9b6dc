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
