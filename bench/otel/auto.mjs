// Preloaded with --import by the benchmark's `otel-auto` variant (bench/lib/variants.ts): what
// OpenTelemetry's getting-started guide has a Node.js user do. NodeSDK with every instrumentation
// of @opentelemetry/auto-instrumentations-node at its defaults (fs stays off, as it is by default),
// exporting traces, metrics and pino's log records over OTLP/gRPC.
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { startNodeSdk } from './nodesdk.mjs';

startNodeSdk({
  instrumentations: [getNodeAutoInstrumentations({ '@opentelemetry/instrumentation-fs': { enabled: false } })],
});
