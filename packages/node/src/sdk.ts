import { randomUUID } from 'node:crypto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { FastifyInstrumentation } from '@opentelemetry/instrumentation-fastify';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { SocketIoInstrumentation } from '@opentelemetry/instrumentation-socket.io';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import {
  AggregationType,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { catalogViews } from './catalog/views.js';
import { grpcUrl, type InstrumentationName, type SightlineConfig } from './config.js';

/** Buckets of `http.server.request.duration`, in seconds (docs/CONTRACT.md). */
export const HTTP_SERVER_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 0.5, 1, 2.5, 5];

/** Exporters to use instead of OTLP gRPC, e.g. in-memory exporters in tests. */
export interface ExporterOverrides {
  spans?: SpanExporter;
  metrics?: PushMetricExporter;
  logs?: LogRecordExporter;
}

const RESOURCE_ATTRS = {
  namespace: 'service.namespace',
  instanceId: 'service.instance.id',
  environment: 'deployment.environment.name',
  commit: 'vcs.ref.head.revision',
} as const;

function instrumentationFor(name: InstrumentationName): Instrumentation {
  switch (name) {
    case 'http':
      return new HttpInstrumentation();
    case 'undici':
      return new UndiciInstrumentation();
    case 'pg':
      return new PgInstrumentation({ enhancedDatabaseReporting: false });
    case 'redis':
      return new RedisInstrumentation();
    case 'ioredis':
      return new IORedisInstrumentation();
    case 'socketio':
      return new SocketIoInstrumentation();
    case 'runtime':
      return new RuntimeNodeInstrumentation();
    case 'fastify':
      return new FastifyInstrumentation();
    case 'express':
      return new ExpressInstrumentation();
  }
}

/** The instrumentations enabled by `config`, in a stable order. */
export function buildInstrumentations(config: SightlineConfig): Instrumentation[] {
  const names: InstrumentationName[] = [
    'http',
    'undici',
    'pg',
    'redis',
    'ioredis',
    'socketio',
    'runtime',
    'fastify',
    'express',
  ];
  return names.filter((n) => !config.disabledInstrumentations.includes(n)).map(instrumentationFor);
}

/**
 * Views: the contract's HTTP buckets and the catalog's per-instrument limits and buckets. Every other
 * instrument gets the reader's cardinality limit (`cardinalityLimit`).
 */
export function buildViews(config: SightlineConfig): ViewOptions[] {
  return [
    ...catalogViews({ namespace: config.serviceNamespace }),
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

/** Builds (does not start) the NodeSDK for `config`. */
export function buildNodeSdk(config: SightlineConfig, overrides: ExporterOverrides = {}): NodeSDK {
  const url = grpcUrl(config.otlpEndpoint);
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: config.serviceName,
    [RESOURCE_ATTRS.namespace]: config.serviceNamespace,
    [ATTR_SERVICE_VERSION]: config.serviceVersion,
    [RESOURCE_ATTRS.instanceId]: randomUUID(),
    [RESOURCE_ATTRS.environment]: config.environment,
    [RESOURCE_ATTRS.commit]: config.commit,
  });
  // Bounded queues: when the collector is away, spans and logs beyond the queue are dropped, never buffered without limit.
  const queue = {
    maxQueueSize: config.exportQueueSize,
    maxExportBatchSize: Math.min(512, config.exportQueueSize),
    scheduledDelayMillis: 1000,
    exportTimeoutMillis: 10_000,
  };
  const spanProcessors = config.tracingEnabled
    ? [new BatchSpanProcessor(overrides.spans ?? new OTLPTraceExporter({ url }), queue)]
    : [];
  const metricReaders = config.metricsEnabled
    ? [
        new PeriodicExportingMetricReader({
          exporter: overrides.metrics ?? new OTLPMetricExporter({ url }),
          exportIntervalMillis: config.metricExportIntervalMs,
          exportTimeoutMillis: Math.min(10_000, config.metricExportIntervalMs),
          cardinalityLimits: { default: config.cardinalityLimit },
        }),
      ]
    : [];
  const logRecordProcessors = config.logsEnabled
    ? [new BatchLogRecordProcessor({ exporter: overrides.logs ?? new OTLPLogExporter({ url }), ...queue })]
    : [];
  return new NodeSDK({
    resource,
    autoDetectResources: false,
    // biome-ignore lint/suspicious/noExplicitAny: sdk-trace-base and sdk-trace processors are the same at runtime
    spanProcessors: spanProcessors as any,
    metricReaders,
    logRecordProcessors,
    views: buildViews(config),
    instrumentations: buildInstrumentations(config),
  });
}
