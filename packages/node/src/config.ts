import { z } from 'zod';
import { SightlineError } from './errors.js';
import { parseResourceAttributes, RESOURCE_ATTRIBUTES_ENV, resourceValueFor } from './resource.js';

/** Instrumentations that can be switched off one by one. */
export const INSTRUMENTATION_NAMES = [
  'http',
  'undici',
  'pg',
  'redis',
  'ioredis',
  'socketio',
  'runtime',
  'express',
] as const;
export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Span attribute that makes the collector's tail sampling keep a trace (docs/CONTRACT.md). */
export const FORCE_SAMPLING_ATTRIBUTE = 'sightline.sampling.force';

/** Options of `init()`. Every option beats its env var, which beats the default. */
export interface SightlineOptions {
  /** Master switch; `false` makes everything a no-op. Env `OBS_ENABLED`. @default true */
  enabled?: boolean;
  /** Export traces. Env `OBS_TRACING_ENABLED`. @default true */
  tracingEnabled?: boolean;
  /** Export metrics. Env `OBS_METRICS_ENABLED`. @default true */
  metricsEnabled?: boolean;
  /** Export logs as OTLP log records (stdout JSON lines are always written). Env `OBS_LOGS_ENABLED`. @default true */
  logsEnabled?: boolean;
  /** Dev only: `/ops/*` and detailed health without the admin token. Refused in production. Env `OBS_METRICS_PUBLIC`. @default false */
  metricsPublic?: boolean;
  /** OTLP gRPC endpoint; `grpc://` and `http://` are plaintext, `https://` is TLS. Env `OTEL_EXPORTER_OTLP_ENDPOINT`. @default "http://localhost:4317" */
  otlpEndpoint?: string;
  /** `service.name`. Env `OTEL_SERVICE_NAME`, then `service.name` in `OTEL_RESOURCE_ATTRIBUTES`. @default "divan-api" */
  serviceName?: string;
  /** `service.namespace`, also the prefix of domain and probe metrics. Env `OBS_SERVICE_NAMESPACE`, then `OTEL_RESOURCE_ATTRIBUTES`. @default "divan" */
  serviceNamespace?: string;
  /** `service.version`. Env `SERVICE_VERSION`, then `OTEL_RESOURCE_ATTRIBUTES`. @default "0.0.0" */
  serviceVersion?: string;
  /**
   * `deployment.environment.name`. Env `DEPLOYMENT_ENVIRONMENT`, then `deployment.environment.name` in
   * `OTEL_RESOURCE_ATTRIBUTES`, then `NODE_ENV`. @default "development"
   */
  environment?: string;
  /** The commit the service was built from (`vcs.ref.head.revision`). Env `GIT_COMMIT`, then `OTEL_RESOURCE_ATTRIBUTES`. @default "unknown" */
  commit?: string;
  /** pino level, case-insensitive. Env `LOG_LEVEL`. @default "info" */
  logLevel?: LogLevel;
  /**
   * Share of info lines outside any sampled trace kept under high load (0.1 keeps 1 in 10); lines inside
   * a trace follow the trace (`traceSamplingPercentage`). Env `LOG_SAMPLING_RATE_INFO`. @default 0.1
   */
  logSamplingRateInfo?: number;
  /** Requests per second (1 s window) above which load is "high" and info logs are sampled. Env `LOG_SAMPLING_LOAD_RPS`. @default 100 */
  logSamplingLoadRps?: number;
  /**
   * Percentage of ordinary traces the collector's tail sampler keeps (its `probabilistic` policy). Under
   * high load an info line inside a trace is kept when the collector will keep that trace: the same
   * FNV-1a trace-id hash and ratio, or the trace failed, was slower than `latencySloMs` or was forced.
   * Set it to what the collector runs with. Env `SIGHTLINE_SAMPLING_PERCENTAGE` (the collector's). @default 10
   */
  traceSamplingPercentage?: number;
  /**
   * The latency SLO in ms: the collector keeps every trace slower than this, so their info lines are
   * kept too. Env `SIGHTLINE_LATENCY_SLO_MS` (the collector's). @default 400
   */
  latencySloMs?: number;
  /** Lowest migration version readiness accepts, e.g. "0008". Env `HEALTH_MIN_MIGRATION`. @default undefined (any) */
  healthMinMigration?: string;
  /** Interval of the background readiness check that feeds the probe metrics. Env `HEALTH_CHECK_INTERVAL_MS`. @default 10000 */
  healthCheckIntervalMs?: number;
  /** Bearer token for `/ops/*` and detailed health. Env `OBS_ADMIN_TOKEN`. @default undefined (locked) */
  adminToken?: string;
  /** Metric export interval. Env `OTEL_METRIC_EXPORT_INTERVAL`. @default 15000 */
  metricExportIntervalMs?: number;
  /** Distinct attribute sets per instrument before overflow. Env `OBS_CARDINALITY_LIMIT`. @default 2000 */
  cardinalityLimit?: number;
  /** Spans or log records buffered while the collector is slow or away; beyond it they are dropped. Env `OBS_EXPORT_QUEUE_SIZE`. @default 2048 */
  exportQueueSize?: number;
  /**
   * Spans or log records per export call. Export serialises a batch synchronously on the event loop, so
   * this bounds the pause one export causes (measured: 128 spans 0.6 ms, 512 spans 5.7 ms). Env `OBS_EXPORT_BATCH_SIZE`. @default 128
   */
  exportBatchSize?: number;
  /** Instrumentations to switch off. Env `OBS_DISABLED_INSTRUMENTATIONS` (comma list, e.g. "pg,redis"). @default [] */
  disabledInstrumentations?: InstrumentationName[];
  /** Flush and shut down on SIGTERM, then re-raise it. Env `OBS_HANDLE_SIGTERM`. @default false */
  handleSigterm?: boolean;
  /**
   * Serve `POST /ops/ingest` for @sightline/web beacons (Web Vitals and page spans). Meant for dev and
   * staging; off (404) unless set, in production too. Env `OBS_WEB_INGEST_ENABLED`. @default false
   */
  webIngestEnabled?: boolean;
  /** Checked at startup when set: Redis URL. Env `REDIS_URL`. */
  redisUrl?: string;
  /** Checked at startup when set: PostgreSQL URL. Env `DATABASE_URL`. */
  databaseUrl?: string;
  /** Checked at startup when set: S3 endpoint URL. Env `S3_ENDPOINT`. */
  s3Endpoint?: string;
  /** Checked at startup when set: length only, the secret is never kept. Env `JWT_SECRET`. */
  jwtSecret?: string;
  /** Minimum JWT secret length for the startup check. @default 32 */
  jwtSecretMinLength?: number;
}

/** All defaults, in one place. */
export const DEFAULTS = {
  enabled: true,
  tracingEnabled: true,
  metricsEnabled: true,
  logsEnabled: true,
  metricsPublic: false,
  otlpEndpoint: 'http://localhost:4317',
  serviceName: 'divan-api',
  serviceNamespace: 'divan',
  serviceVersion: '0.0.0',
  environment: 'development',
  commit: 'unknown',
  logLevel: 'info' as LogLevel,
  logSamplingRateInfo: 0.1,
  logSamplingLoadRps: 100,
  traceSamplingPercentage: 10,
  latencySloMs: 400,
  healthCheckIntervalMs: 10_000,
  metricExportIntervalMs: 15_000,
  cardinalityLimit: 2000,
  exportQueueSize: 2048,
  exportBatchSize: 128,
  disabledInstrumentations: [] as InstrumentationName[],
  handleSigterm: false,
  webIngestEnabled: false,
  jwtSecretMinLength: 32,
} as const;

/** Option -> env var(s), first set env var wins. */
export const ENV_VARS = {
  enabled: ['OBS_ENABLED'],
  tracingEnabled: ['OBS_TRACING_ENABLED'],
  metricsEnabled: ['OBS_METRICS_ENABLED'],
  logsEnabled: ['OBS_LOGS_ENABLED'],
  metricsPublic: ['OBS_METRICS_PUBLIC'],
  otlpEndpoint: ['OTEL_EXPORTER_OTLP_ENDPOINT'],
  serviceName: ['OTEL_SERVICE_NAME'],
  serviceNamespace: ['OBS_SERVICE_NAMESPACE'],
  serviceVersion: ['SERVICE_VERSION'],
  environment: ['DEPLOYMENT_ENVIRONMENT', 'NODE_ENV'],
  commit: ['GIT_COMMIT'],
  logLevel: ['LOG_LEVEL'],
  logSamplingRateInfo: ['LOG_SAMPLING_RATE_INFO'],
  logSamplingLoadRps: ['LOG_SAMPLING_LOAD_RPS'],
  traceSamplingPercentage: ['SIGHTLINE_SAMPLING_PERCENTAGE'],
  latencySloMs: ['SIGHTLINE_LATENCY_SLO_MS'],
  healthMinMigration: ['HEALTH_MIN_MIGRATION'],
  healthCheckIntervalMs: ['HEALTH_CHECK_INTERVAL_MS'],
  adminToken: ['OBS_ADMIN_TOKEN'],
  metricExportIntervalMs: ['OTEL_METRIC_EXPORT_INTERVAL'],
  cardinalityLimit: ['OBS_CARDINALITY_LIMIT'],
  exportQueueSize: ['OBS_EXPORT_QUEUE_SIZE'],
  exportBatchSize: ['OBS_EXPORT_BATCH_SIZE'],
  disabledInstrumentations: ['OBS_DISABLED_INSTRUMENTATIONS'],
  handleSigterm: ['OBS_HANDLE_SIGTERM'],
  webIngestEnabled: ['OBS_WEB_INGEST_ENABLED'],
  redisUrl: ['REDIS_URL'],
  databaseUrl: ['DATABASE_URL'],
  s3Endpoint: ['S3_ENDPOINT'],
  jwtSecret: ['JWT_SECRET'],
} as const satisfies Partial<Record<keyof SightlineOptions, readonly string[]>>;

const flag = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
]);
const int = (min: number) => z.coerce.number().int().min(min);
const endpoint = z
  .string()
  .trim()
  .refine(
    (v) => /^(grpc|http|https):\/\/[^/\s]+/.test(v),
    'expected grpc://, http:// or https:// followed by host:port',
  );

const schema = z.object({
  enabled: flag,
  tracingEnabled: flag,
  metricsEnabled: flag,
  logsEnabled: flag,
  metricsPublic: flag,
  otlpEndpoint: endpoint,
  serviceName: z.string().trim().min(1),
  serviceNamespace: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]*$/, 'expected lower-case letters, digits and _'),
  serviceVersion: z.string().trim().min(1),
  environment: z.string().trim().min(1),
  commit: z.string().trim().min(1),
  logLevel: z.string().trim().toLowerCase().pipe(z.enum(LOG_LEVELS)),
  logSamplingRateInfo: z.coerce.number().gt(0).max(1),
  logSamplingLoadRps: z.coerce.number().min(0),
  traceSamplingPercentage: z.coerce.number().min(0).max(100),
  latencySloMs: int(1),
  healthMinMigration: z.string().trim().min(1).optional(),
  healthCheckIntervalMs: int(100),
  adminToken: z.string().min(16, 'expected at least 16 characters').optional(),
  metricExportIntervalMs: int(100),
  cardinalityLimit: int(1),
  exportQueueSize: int(1),
  exportBatchSize: int(1),
  disabledInstrumentations: z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean)
        : v,
    z.array(z.enum(INSTRUMENTATION_NAMES)),
  ),
  handleSigterm: flag,
  webIngestEnabled: flag,
  redisUrl: z.string().optional(),
  databaseUrl: z.string().optional(),
  s3Endpoint: z.string().optional(),
  jwtSecret: z.string().optional(),
  jwtSecretMinLength: int(1),
});

type Parsed = z.infer<typeof schema>;

/** The resolved, validated configuration. Secrets are kept out: the JWT secret only as its length. */
export interface SightlineConfig extends Omit<Parsed, 'jwtSecret' | 'adminToken'> {
  /** Whether an admin token is configured (the token itself is not exposed). */
  readonly adminTokenSet: boolean;
  /** Length of the JWT secret, when one was given. */
  readonly jwtSecretLength: number | undefined;
  /** True when `environment` is `production` or `prod`. */
  readonly production: boolean;
  /**
   * Every attribute of `OTEL_RESOURCE_ATTRIBUTES`, put on the resource under the SDK's own attributes
   * (service.*, deployment.environment.name, ... come from the options above).
   */
  readonly resourceAttributes: Readonly<Record<string, string>>;
}

/** Config plus the admin token, for the ops guard only. */
export interface ResolvedConfig {
  config: SightlineConfig;
  adminToken: string | undefined;
  /** Problems that do not stop the service (a malformed `OTEL_RESOURCE_ATTRIBUTES`), for init() to log. */
  warnings: string[];
}

/** Env vars that give way to `OTEL_RESOURCE_ATTRIBUTES`: NODE_ENV says how code runs more than where. */
const WEAKER_THAN_RESOURCE_ATTRIBUTES = new Set(['NODE_ENV']);

/** Returns the first env var among `names` that is set and not empty. */
function fromEnv(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value };
  }
  return undefined;
}

/**
 * The env value of option `key`: its own env vars in order, except that `OTEL_RESOURCE_ATTRIBUTES`
 * (`resource`) beats the weak ones (NODE_ENV). `name` says where it came from, for error messages.
 */
function envValue(
  key: string,
  env: NodeJS.ProcessEnv,
  resource: Readonly<Record<string, string>>,
): { name: string; value: string } | undefined {
  const names = (ENV_VARS as Record<string, readonly string[]>)[key] ?? [];
  const fromResource = resourceValueFor(resource, key);
  const hit = fromEnv(
    env,
    fromResource === undefined ? names : names.filter((name) => !WEAKER_THAN_RESOURCE_ATTRIBUTES.has(name)),
  );
  if (hit !== undefined) return hit;
  return fromResource === undefined ? undefined : { name: RESOURCE_ATTRIBUTES_ENV, value: fromResource };
}

/** Where a key's value came from, for error messages. */
function sourceOf(
  key: string,
  options: SightlineOptions,
  env: NodeJS.ProcessEnv,
  resource: Readonly<Record<string, string>>,
): string {
  if ((options as Record<string, unknown>)[key] !== undefined) return `option "${key}"`;
  const hit = envValue(key, env, resource);
  return hit ? `env ${hit.name}` : `default of "${key}"`;
}

function codeFor(key: string): string {
  return `SIGHTLINE_CONFIG_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** True for environments treated as production. */
export function isProduction(environment: string): boolean {
  return ['production', 'prod'].includes(environment.trim().toLowerCase());
}

/**
 * Merges options over env over defaults and validates the result.
 * Throws a {@link SightlineError} naming the key (`SIGHTLINE_CONFIG_<KEY>`), where it came from,
 * what was expected and what came (secrets are not echoed).
 */
export function resolveConfig(options: SightlineOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const envResource = parseResourceAttributes(env[RESOURCE_ATTRIBUTES_ENV]);
  const resource = envResource.attributes;
  const raw: Record<string, unknown> = { ...DEFAULTS };
  for (const key of Object.keys(ENV_VARS)) {
    const hit = envValue(key, env, resource);
    if (hit !== undefined) raw[key] = hit.value;
  }
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) raw[key] = value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? 'unknown');
    const secret = key === 'adminToken' || key === 'jwtSecret';
    const received = secret ? '(hidden)' : JSON.stringify(raw[key]);
    throw new SightlineError(
      codeFor(key),
      `invalid ${sourceOf(key, options, env, resource)}: ${issue?.message ?? 'invalid value'}; received ${received}`,
    );
  }
  const { jwtSecret, adminToken, ...rest } = result.data;
  const production = isProduction(rest.environment);
  if (production && rest.metricsPublic) {
    throw new SightlineError(
      'SIGHTLINE_CONFIG_METRICS_PUBLIC',
      `${sourceOf('metricsPublic', options, env, resource)} is true but environment is "${rest.environment}": public ops endpoints are for development only`,
    );
  }
  return {
    config: Object.freeze({
      ...rest,
      adminTokenSet: adminToken !== undefined,
      jwtSecretLength: jwtSecret?.length,
      production,
      resourceAttributes: Object.freeze({ ...resource }),
    }),
    adminToken,
    warnings:
      envResource.error === undefined ? [] : [`SIGHTLINE_CONFIG_OTEL_RESOURCE_ATTRIBUTES: ${envResource.error}`],
  };
}

/** The OTLP gRPC exporter speaks `http(s)://`; `grpc://` means plaintext gRPC. */
export function grpcUrl(endpoint: string): string {
  return endpoint.replace(/^grpc:\/\//, 'http://');
}
