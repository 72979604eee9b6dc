import { randomUUID } from 'node:crypto';
import { context, logs, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { SocketIoInstrumentation } from '@opentelemetry/instrumentation-socket.io';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Catalog } from './catalog/types.js';
import { catalogViews } from './catalog/views.js';
import { grpcUrl, INSTRUMENTATION_NAMES, type InstrumentationName, type SightlineConfig } from './config.js';
import { normalizeSpanName } from './http/method.js';
import { HttpServerInstrumentation } from './http/server-instrumentation.js';
import {
  compilePiiRules,
  logRecordScrubber,
  PiiLogRecordExporter,
  PiiMetricExporter,
  type PiiRuleSpec,
  PiiSpanExporter,
  shippedPiiRules,
  spanScrubber,
} from './pii/index.js';
import { RequestIdPropagator } from './request-id.js';
import { tracesSampler } from './root-sampler.js';
import { slicedLogExporter, slicedSpanExporter } from './sliced-export.js';

/** Buckets of `http.server.request.duration`, in seconds (docs/CONTRACT.md). */
export const HTTP_SERVER_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 0.5, 1, 2.5, 5];

/** Exporters to use instead of OTLP gRPC, e.g. in-memory exporters in tests. */
export interface ExporterOverrides {
  spans?: SpanExporter;
  metrics?: PushMetricExporter;
  logs?: LogRecordExporter;
  /** PII rules instead of the shipped pii/rules.yaml (tests). A bad rule fails start-up naming it. */
  piiRules?: PiiRuleSpec;
}

const RESOURCE_ATTRS = {
  namespace: 'service.namespace',
  instanceId: 'service.instance.id',
  environment: 'deployment.environment.name',
  commit: 'vcs.ref.head.revision',
} as const;

function instrumentationFor(name: InstrumentationName): Instrumentation | Instrumentation[] {
  switch (name) {
    case 'http':
      return [
        // Incoming requests: the SDK's own server span and duration histogram (same contract, a
        // fraction of the cost; http/server-instrumentation.ts).
        new HttpServerInstrumentation(),
        // Outgoing requests. It records an unknown method as `_OTHER` but names the span after the
        // raw one; the hooks rename it (at start, and again at the end) so names stay bounded.
        new HttpInstrumentation({
          disableIncomingRequestInstrumentation: true,
          requestHook: (span, request) => normalizeSpanName(span, request.method),
          applyCustomAttributesOnSpan: (span, request) => normalizeSpanName(span, request.method),
        }),
      ];
    case 'undici':
      return new UndiciInstrumentation();
    case 'pg':
      // No span for taking a client from the pool: with pool.query that is a second span per query,
      // which roughly doubles pg's tracing cost. Pool pressure still shows in the connection metrics.
      return new PgInstrumentation({ enhancedDatabaseReporting: false, ignoreConnectSpans: true });
    case 'redis':
      return new RedisInstrumentation();
    case 'ioredis':
      return new IORedisInstrumentation();
    case 'socketio':
      return new SocketIoInstrumentation();
    case 'runtime':
      return new RuntimeNodeInstrumentation();
    case 'express':
      return new ExpressInstrumentation();
  }
}

/** The instrumentations enabled by `config`, in a stable order. */
export function buildInstrumentations(config: SightlineConfig): Instrumentation[] {
  return INSTRUMENTATION_NAMES.filter((n) => !config.disabledInstrumentations.includes(n)).flatMap(instrumentationFor);
}

/**
 * Views: the contract's HTTP buckets and the catalog's per-instrument limits and buckets. Every other
 * instrument gets the reader's cardinality limit (`cardinalityLimit`).
 */
export function buildViews(config: SightlineConfig, catalogs: readonly Catalog[] = []): ViewOptions[] {
  return [
    ...catalogViews(catalogs),
    {
      instrumentName: 'http.server.request.duration',
      aggregation: {
        type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
        options: { boundaries: HTTP_SERVER_DURATION_BUCKETS },
      },
      aggregationCardinalityLimit: config.cardinalityLimit,
    },
  ];
}

/** How often the batch processors export a partial batch, and how long one export may take. */
const EXPORT_TIMING = { scheduledDelayMillis: 500, exportTimeoutMillis: 10_000 };

/** The running providers; `shutdown()` flushes and stops every signal. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for `config`: instrumentations, context manager, W3C propagators and one
 * provider per enabled signal, registered globally. It does what `NodeSDK.start()` does with our options,
 * without loading `@opentelemetry/sdk-node`, which pulls every exporter, protocol and detector into
 * memory (about 25 MB of RSS) although only the OTLP/gRPC ones are used.
 */
export function startTelemetry(
  config: SightlineConfig,
  overrides: ExporterOverrides = {},
  /** Span processors that run before export, e.g. the log sampler that watches each trace's outcome. */
  spanProcessors: SpanProcessor[] = [],
  /** Catalogs whose views the MeterProvider applies (`init()` passes the SDK's own and the service's). */
  catalogs: readonly Catalog[] = [],
): Telemetry {
  const url = grpcUrl(config.otlpEndpoint);
  // Every exporter scrubs with the rules shared with the collector (README "PII scrubbing"); compiled
  // first, so a bad rule stops start-up before anything is patched or exported.
  const pii = overrides.piiRules === undefined ? shippedPiiRules() : compilePiiRules(overrides.piiRules);
  const resource = resourceFromAttributes({
    // OTEL_RESOURCE_ATTRIBUTES first, so the SDK's own attributes (already resolved from them) win.
    ...config.resourceAttributes,
    [ATTR_SERVICE_NAME]: config.serviceName,
    [RESOURCE_ATTRS.namespace]: config.serviceNamespace,
    [ATTR_SERVICE_VERSION]: config.serviceVersion,
    [RESOURCE_ATTRS.instanceId]: randomUUID(),
    [RESOURCE_ATTRS.environment]: config.environment,
    [RESOURCE_ATTRS.commit]: config.commit,
  });
  // Bounded queues: when the collector is away, spans and logs beyond the queue are dropped, never buffered without limit.
  // The span and log exporters scrub and serialise a batch in slices between requests (sliced-export.ts),
  // so the batch size sets the gRPC request size, not a pause on the event loop.
  const queue = {
    ...EXPORT_TIMING,
    maxQueueSize: config.exportQueueSize,
    maxExportBatchSize: Math.min(config.exportBatchSize, config.exportQueueSize),
  };
  const instrumentations = buildInstrumentations(config);
  registerInstrumentations({ instrumentations });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      // The request id rides on each incoming request's context, next to its trace context (request-id.ts).
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new RequestIdPropagator()],
    }),
  );

  const providers: { shutdown(): Promise<void> }[] = [];
  if (config.metricsEnabled) {
    const meterProvider = new MeterProvider({
      resource,
      views: buildViews(config, catalogs),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new PiiMetricExporter(overrides.metrics ?? new OTLPMetricExporter({ url }), pii),
          exportIntervalMillis: config.metricExportIntervalMs,
          exportTimeoutMillis: Math.min(10_000, config.metricExportIntervalMs),
          cardinalityLimits: { default: config.cardinalityLimit },
        }),
      ],
    });
    metrics.setGlobalMeterProvider(meterProvider);
    // Instrumentations took the no-op meter when they were enabled; hand them the real one.
    for (const instrumentation of instrumentations) instrumentation.setMeterProvider(meterProvider);
    providers.push(meterProvider);
  }
  if (config.tracingEnabled) {
    const tracerProvider = new TracerProvider({
      resource,
      sampler: tracesSampler(),
      spanProcessors: [
        ...spanProcessors,
        new BatchSpanProcessor({
          exporter:
            overrides.spans === undefined
              ? slicedSpanExporter(url, spanScrubber(pii))
              : new PiiSpanExporter(overrides.spans, pii),
          ...queue,
        }),
      ],
    });
    trace.setGlobalTracerProvider(tracerProvider);
    // The real tracers, not the proxy's, which looks up its delegate on every span.
    for (const instrumentation of instrumentations) instrumentation.setTracerProvider(tracerProvider);
    providers.push(tracerProvider);
  }
  if (config.logsEnabled) {
    const loggerProvider = new LoggerProvider({
      resource,
      processors: [
        new BatchLogRecordProcessor({
          exporter:
            overrides.logs === undefined
              ? slicedLogExporter(url, logRecordScrubber(pii))
              : new PiiLogRecordExporter(overrides.logs, pii),
          ...queue,
        }),
      ],
    });
    logs.setGlobalLoggerProvider(loggerProvider);
    providers.push(loggerProvider);
  }
  return {
    shutdown: async () => {
      await Promise.all(providers.map((provider) => provider.shutdown()));
    },
  };
}
