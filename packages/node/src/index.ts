// The public surface of @sightline/node. Every export is named; types use `export type`.
// SDK core: init, config, logger, HTTP adapters, health and ops.

// Typed domain-metrics catalog, Socket.IO instrumentation and job helper (catalog stream).
export {
  type BusinessMetrics,
  businessCatalog,
  type CatalogOptions,
  type ConfigurableLabelSet,
  type CounterRecorder,
  cardinalityLimitOf,
  catalogViews,
  createBusinessMetrics,
  createDomainMetrics,
  DEFAULT_LABEL_VALUES,
  type DomainMetrics,
  type DomainMetricsOptions,
  domainCatalog,
  type GaugeRecorder,
  type HistogramRecorder,
  instrumentName,
  ipPrefix,
  type LabelRule,
  type LabelsOf,
  type LabelValueOptions,
  MAX_CONFIGURED_VALUES,
  type MetricDefinition,
  OTHER,
  prometheusSeries,
  radiusBucket,
  renderMetricsTable,
  type SpecMapping,
  specMappings,
  type UpDownCounterRecorder,
  userIdPrefix,
} from './catalog/index.js';
export {
  DEFAULTS,
  ENV_VARS,
  FORCE_SAMPLING_ATTRIBUTE,
  INSTRUMENTATION_NAMES,
  type InstrumentationName,
  LOG_LEVELS,
  type LogLevel,
  resolveConfig,
  type SightlineConfig,
  type SightlineOptions,
} from './config.js';
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
} from './health.js';
export { HEALTH_ROUTES, OPS_ROUTES, UNMATCHED_ROUTE } from './http/core.js';
export { type ExpressMiddleware, type SightlineExpressOptions, sightlineExpress } from './http/express.js';
export { type SightlineFastifyOptions, sightlineFastify } from './http/fastify.js';
export { type InitOptions, init } from './init.js';
export { type ErrorLogger, type JobMetrics, type JobOptions, job } from './jobs.js';
export type { Logger } from './logger.js';
export type { Ops, RolloverHandler } from './ops.js';
export {
  compareVersions,
  migrationsProbe,
  type PingableClient,
  postgresProbe,
  type QueryableClient,
  redisProbe,
} from './probes.js';
export { HTTP_SERVER_DURATION_BUCKETS } from './sdk.js';
export {
  instrumentSocketIO,
  type SocketIOInstrumentation,
  type SocketIOInstrumentationOptions,
  type SocketIOServerLike,
} from './socketio.js';
export type { Sightline } from './types.js';
