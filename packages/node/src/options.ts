import { z } from 'zod';

/**
 * The one table of `init()` options. Each entry says where the option comes from (env vars, resource
 * attributes), what it accepts (a zod schema and the README's words for it), its default and what it
 * does. The zod schema, `DEFAULTS`, `ENV_VARS` and the README tables (`npm run gen:options-table`) are
 * all generated from it, so none of them can drift from another.
 */

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

/** The fallback `service.name` when nothing names the service, as OpenTelemetry's resource spec says. */
export const UNKNOWN_SERVICE = 'unknown_service:node';

/** One option: its sources, its type, its default and its meaning. */
export interface OptionDefinition<S extends z.ZodType = z.ZodType> {
  /** Validates (and coerces, for env strings) the value. */
  readonly schema: S;
  /** The accepted values as the README shows them. */
  readonly type: string;
  /** Env vars read in order; the first one set and not blank wins. Empty: an `init()` option only. */
  readonly env: readonly string[];
  /** `OTEL_RESOURCE_ATTRIBUTES` keys that fill the option when none of `env` is set. */
  readonly resourceAttributes?: readonly string[];
  /** Env vars weaker than `resourceAttributes` (NODE_ENV says how code runs more than where it runs). */
  readonly envAfterResourceAttributes?: readonly string[];
  /** The default; absent for options that stay unset, or whose default is computed (`defaultText`). */
  readonly default?: z.output<S>;
  /** The README's default cell, when the value alone would not say it (unset, computed). */
  readonly defaultText?: string;
  /** What the option does, one README cell. */
  readonly description: string;
  /** Never echoed in an error and kept out of `sightline.config`. */
  readonly secret?: boolean;
}

/** A schema with the README's words for it. */
interface Typed<S extends z.ZodType> {
  schema: S;
  type: string;
}

const FLAG_WORDS = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'] as const;
const flag = (): Typed<z.ZodType<boolean, unknown>> => ({
  schema: z.union([
    z.boolean(),
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(FLAG_WORDS))
      .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
  ]),
  type: 'flag',
});
const integer = (min: number): Typed<z.ZodType<number, unknown>> => ({
  schema: z.coerce.number().int().min(min),
  type: `integer ≥ ${min}`,
});
const text = (): Typed<z.ZodType<string, unknown>> => ({ schema: z.string().trim().min(1), type: 'string' });
const endpoint = (): Typed<z.ZodType<string, unknown>> => ({
  schema: z
    .string()
    .trim()
    .refine(
      (v) => /^(grpc|http|https):\/\/[^/\s]+/.test(v),
      'expected grpc://, http:// or https:// followed by host:port',
    ),
  type: 'URL',
});

/** Identity with a type check: the default must be something the schema outputs. */
function option<S extends z.ZodType, const D extends OptionDefinition<S>>(definition: D & { schema: S }): D {
  return definition;
}

/** Every option of `init()`. An explicit option beats its env vars, which beat the default. */
export const OPTIONS = {
  enabled: option({
    ...flag(),
    env: ['OBS_ENABLED'],
    default: true,
    description: 'master switch; `false` makes everything a no-op (nothing started or patched)',
  }),
  tracingEnabled: option({ ...flag(), env: ['OBS_TRACING_ENABLED'], default: true, description: 'export traces' }),
  metricsEnabled: option({ ...flag(), env: ['OBS_METRICS_ENABLED'], default: true, description: 'export metrics' }),
  logsEnabled: option({
    ...flag(),
    env: ['OBS_LOGS_ENABLED'],
    default: true,
    description: 'also send logs as OTLP log records (JSON lines on stdout are always written)',
  }),
  metricsPublic: option({
    ...flag(),
    env: ['OBS_METRICS_PUBLIC'],
    default: false,
    description: 'dev only: `/ops/*` and detailed health without the admin token; refused at startup in production',
  }),
  otlpEndpoint: option({
    ...endpoint(),
    env: ['OTEL_EXPORTER_OTLP_ENDPOINT'],
    default: 'http://localhost:4317',
    description: 'the collector’s OTLP/gRPC endpoint; `grpc://` and `http://` are plaintext, `https://` is TLS',
  }),
  serviceName: option({
    ...text(),
    env: ['OTEL_SERVICE_NAME'],
    resourceAttributes: ['service.name'],
    defaultText: `\`name\` of the nearest package.json above the working directory, else \`${UNKNOWN_SERVICE}\``,
    description: '`service.name` on every signal, the `service` log field',
  }),
  serviceNamespace: option({
    schema: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_]*$/, 'expected lower-case letters, digits and _')
      .optional(),
    type: '`[a-z][a-z0-9_]*`',
    env: ['OBS_SERVICE_NAMESPACE'],
    resourceAttributes: ['service.namespace'],
    defaultText: 'unset',
    description: '`service.namespace` on every signal (the metric prefix comes from the service’s catalog)',
  }),
  serviceVersion: option({
    ...text(),
    env: ['SERVICE_VERSION'],
    resourceAttributes: ['service.version'],
    default: '0.0.0',
    description: '`service.version`',
  }),
  environment: option({
    ...text(),
    env: ['DEPLOYMENT_ENVIRONMENT'],
    // `deployment.environment` is the pre-1.27 semconv name.
    resourceAttributes: ['deployment.environment.name', 'deployment.environment'],
    envAfterResourceAttributes: ['NODE_ENV'],
    default: 'development',
    description: '`deployment.environment.name`; `production` or `prod` turn on the production rules',
  }),
  commit: option({
    ...text(),
    env: ['GIT_COMMIT'],
    resourceAttributes: ['vcs.ref.head.revision'],
    default: 'unknown',
    description: 'the commit built from: `vcs.ref.head.revision` and the `commit` log field',
  }),
  logLevel: option({
    schema: z.string().trim().toLowerCase().pipe(z.enum(LOG_LEVELS)),
    type: `${LOG_LEVELS.join(', ')} (any case)`,
    env: ['LOG_LEVEL'],
    default: 'info',
    description: 'pino level of the logger',
  }),
  logSamplingRateInfo: option({
    schema: z.coerce.number().gt(0).max(1),
    type: 'number in (0, 1]',
    env: ['LOG_SAMPLING_RATE_INFO'],
    default: 0.1,
    description:
      'share of info lines outside any sampled trace kept under high load (0.1 keeps 1 in 10); warnings and errors are never sampled',
  }),
  logSamplingLoadRps: option({
    schema: z.coerce.number().min(0),
    type: 'number ≥ 0',
    env: ['LOG_SAMPLING_LOAD_RPS'],
    default: 100,
    description: 'requests per second (1 s window) above which load is high and info lines are sampled',
  }),
  traceSamplingPercentage: option({
    schema: z.coerce.number().min(0).max(100),
    type: 'number 0–100',
    env: ['SIGHTLINE_SAMPLING_PERCENTAGE'],
    default: 10,
    description:
      'the collector’s probabilistic share (set both alike): under high load an info line inside a trace is kept when the collector keeps that trace, by its trace-id hash, or because it failed, was forced or was slower than the SLO',
  }),
  latencySloMs: option({
    ...integer(1),
    env: ['SIGHTLINE_LATENCY_SLO_MS'],
    default: 400,
    description: 'the collector’s slow-trace threshold (ms): info lines of slower traces are kept',
  }),
  healthCheckIntervalMs: option({
    ...integer(100),
    env: ['HEALTH_CHECK_INTERVAL_MS'],
    default: 10_000,
    description: 'interval (ms) of the background readiness check that feeds the probe metrics',
  }),
  adminToken: option({
    schema: z.string().min(16, 'expected at least 16 characters').optional(),
    type: 'string, ≥ 16 characters',
    env: ['OBS_ADMIN_TOKEN'],
    defaultText: 'unset (ops locked)',
    description: 'Bearer token for `/ops/*` and detailed health; never logged or exposed (only `adminTokenSet`)',
    secret: true,
  }),
  metricExportIntervalMs: option({
    ...integer(100),
    env: ['OTEL_METRIC_EXPORT_INTERVAL'],
    default: 15_000,
    description: 'metric export interval (ms)',
  }),
  cardinalityLimit: option({
    ...integer(1),
    env: ['OBS_CARDINALITY_LIMIT'],
    default: 2000,
    description: 'distinct attribute sets per instrument before the overflow series',
  }),
  exportQueueSize: option({
    ...integer(1),
    env: ['OBS_EXPORT_QUEUE_SIZE'],
    default: 2048,
    description: 'spans / log records buffered while the collector is slow or away; beyond it they are dropped',
  }),
  exportBatchSize: option({
    ...integer(1),
    env: ['OBS_EXPORT_BATCH_SIZE'],
    default: 512,
    description:
      'spans / log records per OTLP request; a batch is scrubbed and serialised in slices of 16 between requests, so its size does not lengthen any pause (it did before: 128 spans held the loop 1.3 ms)',
  }),
  disabledInstrumentations: option({
    schema: z.preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(',')
              .map((s) => s.trim().toLowerCase())
              .filter(Boolean)
          : v,
      z.array(z.enum(INSTRUMENTATION_NAMES)),
    ),
    type: `comma list of ${INSTRUMENTATION_NAMES.join(', ')}`,
    env: ['OBS_DISABLED_INSTRUMENTATIONS'],
    default: [],
    defaultText: 'none',
    description:
      "instrumentations to switch off; `http` covers the server span (the SDK's own) and outgoing requests (Fastify needs none: the plugin names the HTTP span by route)",
  }),
  handleSigterm: option({
    ...flag(),
    env: ['OBS_HANDLE_SIGTERM'],
    default: false,
    description: 'flush every signal on SIGTERM, then re-raise it',
  }),
  webIngestEnabled: option({
    ...flag(),
    env: ['OBS_WEB_INGEST_ENABLED'],
    default: false,
    description:
      'serve `POST /ops/ingest` for `@sightline/web` beacons (dev and staging; off answers 404, in production too)',
  }),
} as const;

type Options = typeof OPTIONS;
export type OptionName = keyof Options;

/** Every option's value after validation. */
export type OptionValues = z.output<typeof optionsSchema>;

/** Options of `init()` (see {@link OPTIONS}): every option beats its env var, which beats the default. */
export type SightlineOptions = { [K in OptionName]?: OptionValues[K] };

/** The options that have a fixed default. */
type DefaultedName = { [K in OptionName]: Options[K] extends { readonly default: unknown } ? K : never }[OptionName];

const entries = Object.entries(OPTIONS) as Array<[OptionName, OptionDefinition]>;

/** Every fixed default, in one place (`serviceName`'s is computed: see {@link OPTIONS}). */
export const DEFAULTS = Object.freeze(
  Object.fromEntries(entries.filter(([, d]) => d.default !== undefined).map(([name, d]) => [name, d.default])),
) as { readonly [K in DefaultedName]: OptionValues[K] };

/** Option -> its env vars, strongest first (`NODE_ENV` only after `OTEL_RESOURCE_ATTRIBUTES`). */
export const ENV_VARS = Object.freeze(
  Object.fromEntries(
    entries
      .filter(([, d]) => d.env.length > 0)
      .map(([name, d]) => [name, [...d.env, ...(d.envAfterResourceAttributes ?? [])] as readonly string[]]),
  ),
) as Readonly<Record<OptionName, readonly string[]>>;

/** The zod schema of every option, built from {@link OPTIONS}. */
export const optionsSchema = z.object(
  Object.fromEntries(entries.map(([name, d]) => [name, d.schema])) as { [K in OptionName]: Options[K]['schema'] },
);

/** True for options whose value is never echoed. */
export function isSecret(name: string): boolean {
  return (OPTIONS as Record<string, OptionDefinition>)[name]?.secret === true;
}

const code = (value: string) => `\`${value}\``;

/** The README cell that says where an option comes from. */
function sourcesCell(d: OptionDefinition): string {
  const parts = d.env.map(code);
  if (d.resourceAttributes !== undefined) {
    parts.push(`${d.resourceAttributes.map(code).join(' or ')} in \`OTEL_RESOURCE_ATTRIBUTES\``);
  }
  parts.push(...(d.envAfterResourceAttributes ?? []).map(code));
  return parts.length === 0 ? '— (option only)' : parts.join(', then ');
}

function defaultCell(d: OptionDefinition): string {
  if (d.defaultText !== undefined) return d.defaultText;
  return d.default === undefined ? 'unset' : code(String(d.default));
}

/** The README options table (SDK README and root README), one row per option, in table order. */
export function renderOptionsTable(): string {
  const rows = entries.map(([name, d]) =>
    [code(name), sourcesCell(d), d.type, defaultCell(d), d.description].join(' | '),
  );
  return [
    '| option | env var | type | default | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    '',
  ].join('\n');
}
