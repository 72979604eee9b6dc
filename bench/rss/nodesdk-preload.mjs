// Preloaded with --import by bench/nodesdk-rss.ts: OpenTelemetry's NodeSDK given explicit exporters,
// processors and readers (nothing loaded from env) and the same instrumentations Sightline enables.
import { startNodeSdk } from '../otel/nodesdk.mjs';
import { instrumentations as sightlineInstrumentations } from './instrumentations.mjs';

startNodeSdk({
  instrumentations: sightlineInstrumentations(),
  serviceName: 'rss-bench',
  autoDetectResources: false,
  metricExportIntervalMs: 60_000,
  // The RSS comparison with providers-preload.mjs installs no loader hook on either side.
  esmHook: false,
});
