// The public surface of @sightline/node, kept small on purpose (test/exports.test.ts pins it): init, the
// framework adapters, the metric catalog (defineCatalog, createDomainMetrics), jobs, Socket.IO, health
// and ops, and the types those take or return. Every export is named; types use `export type`.

export type { SdkCatalog } from './catalog/builtin.js';
export {
  type Catalog,
  type CatalogInstrument,
  type CatalogSpec,
  type CounterRecorder,
  createDomainMetrics,
  type DomainMetricsOptions,
  defineCatalog,
  type GaugeRecorder,
  type HistogramRecorder,
  type InstrumentKind,
  type LabelRule,
  type LabelSet,
  type LabelsOf,
  type MetricDefinition,
  type MetricDefinitions,
  type Recorders,
  type UpDownCounterRecorder,
} from './catalog/index.js';
export type { InstrumentationName, LogLevel, SightlineConfig, SightlineOptions } from './config.js';
export { SightlineError } from './errors.js';
export {
  type CheckResult,
  HEALTH_REASONS,
  type Health,
  type HealthReason,
  type HealthReport,
  type ProbeContext,
  type ProbeDetails,
  type ReadinessProbe,
  type StartupCheck,
  type StartupCheckOptions,
} from './health.js';
export { HEALTH_ROUTES, OPS_ROUTES } from './http/core.js';
export { type ExpressMiddleware, type SightlineExpressOptions, sightlineExpress } from './http/express.js';
export { type SightlineFastifyOptions, sightlineFastify } from './http/fastify.js';
export { type InitOptions, init } from './init.js';
export { type ErrorLogger, type JobOptions, job } from './jobs.js';
export type { Logger } from './logger.js';
export type { Ops, RolloverHandler } from './ops.js';
export {
  type MigrationsProbeOptions,
  migrationsProbe,
  type PingableClient,
  postgresProbe,
  type QueryableClient,
  redisProbe,
} from './probes.js';
export {
  instrumentSocketIO,
  type SocketIOInstrumentation,
  type SocketIOInstrumentationOptions,
  type SocketIOServerLike,
} from './socketio.js';
export type { Sightline } from './types.js';
