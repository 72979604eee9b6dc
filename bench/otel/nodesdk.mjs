// OpenTelemetry's NodeSDK as a user sets it up for traces, metrics and logs over OTLP/gRPC, with
// explicit exporters, processors and readers (nothing picked from OTEL_*_EXPORTER). Shared by the
// benchmark's OpenTelemetry variants (auto.mjs, fastify-otel.mjs) and bench/rss/nodesdk-preload.mjs.
import { register } from 'node:module';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Starts NodeSDK exporting to `OTEL_EXPORTER_OTLP_ENDPOINT` and returns it.
 * @param {object} options
 * @param {import('@opentelemetry/instrumentation').Instrumentation[]} options.instrumentations
 * @param {string} [options.serviceName] default `OTEL_SERVICE_NAME`, else `bench-api`
 * @param {number} [options.metricExportIntervalMs] default 15000, Sightline's interval, so metric export costs the same
 * @param {boolean} [options.autoDetectResources] default true, NodeSDK's own default
 * @param {boolean} [options.esmHook] default true: install the ESM loader hook so ES module imports are patched too, as
 *   OpenTelemetry's docs say for ESM apps (and as `@sightline/node/register` does)
 */
export function startNodeSdk({
  instrumentations,
  serviceName = process.env.OTEL_SERVICE_NAME ?? 'bench-api',
  metricExportIntervalMs = 15_000,
  autoDetectResources = true,
  esmHook = true,
}) {
  if (esmHook) register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const url = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const sdk = new NodeSDK({
    serviceName,
    autoDetectResources,
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
    metricReaders: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url }),
        exportIntervalMillis: metricExportIntervalMs,
      }),
    ],
    logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url }) })],
    instrumentations,
  });
  sdk.start();
  return sdk;
}
