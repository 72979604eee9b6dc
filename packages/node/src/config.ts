import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configError, REPORTED } from './errors.js';
import {
  DEFAULTS,
  isSecret,
  OPTIONS,
  type OptionDefinition,
  type OptionName,
  type OptionValues,
  optionsSchema,
  type SightlineOptions,
  UNKNOWN_SERVICE,
} from './options.js';
import { parseResourceAttributes, RESOURCE_ATTRIBUTES_ENV, resourceValueFor } from './resource.js';

export {
  DEFAULTS,
  ENV_VARS,
  INSTRUMENTATION_NAMES,
  type InstrumentationName,
  LOG_LEVELS,
  type LogLevel,
  type SightlineOptions,
} from './options.js';

/** Span attribute that makes the collector's tail sampling keep a trace (docs/CONTRACT.md). */
export const FORCE_SAMPLING_ATTRIBUTE = 'sightline.sampling.force';

type Secret = { [K in OptionName]: (typeof OPTIONS)[K] extends { readonly secret: true } ? K : never }[OptionName];

/** The resolved, validated configuration. Secrets (the admin token) are kept out. */
export interface SightlineConfig extends Readonly<Omit<OptionValues, Secret>> {
  /** Whether an admin token is configured (the token itself is not exposed). */
  readonly adminTokenSet: boolean;
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

/**
 * The `name` of the nearest package.json at or above `cwd` that has one (a package.json without a name,
 * like a `{"type":"module"}` marker, is passed over), else OpenTelemetry's `unknown_service:node`.
 */
export function defaultServiceName(cwd: string = process.cwd()): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
        if (typeof name === 'string' && name.trim() !== '') return name.trim();
      } catch {
        // An unreadable package.json names nothing; look further up.
      }
    }
    if (dirname(dir) === dir) return UNKNOWN_SERVICE;
  }
}

/** Returns the first env var among `names` that is set and not empty. */
function fromEnv(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value };
  }
  return undefined;
}

/**
 * The env value of option `key`, in its table order: its env vars, then its `OTEL_RESOURCE_ATTRIBUTES`
 * keys (`resource`), then its weak env vars (NODE_ENV). `name` says where it came from, for errors.
 */
function envValue(
  key: OptionName,
  env: NodeJS.ProcessEnv,
  resource: Readonly<Record<string, string>>,
): { name: string; value: string } | undefined {
  const definition: OptionDefinition = OPTIONS[key];
  const strong = fromEnv(env, definition.env);
  if (strong !== undefined) return strong;
  const fromResource = resourceValueFor(resource, key);
  if (fromResource !== undefined) return { name: RESOURCE_ATTRIBUTES_ENV, value: fromResource };
  return fromEnv(env, definition.envAfterResourceAttributes ?? []);
}

/** Where a key's value came from, for error messages. */
function sourceOf(
  key: OptionName,
  options: SightlineOptions,
  env: NodeJS.ProcessEnv,
  resource: Readonly<Record<string, string>>,
): string {
  if (options[key] !== undefined) return `option "${key}"`;
  const hit = envValue(key, env, resource);
  return hit ? `env ${hit.name}` : `default of "${key}"`;
}

/** True for environments treated as production. */
export function isProduction(environment: string): boolean {
  return ['production', 'prod'].includes(environment.trim().toLowerCase());
}

const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];

const SERVICE_SETTING =
  "the service's own setting, validated where it loads its config and reported with health.addStartupCheck";
/**
 * Options older versions read that belong to the service: passing one (from JavaScript) still starts,
 * with a line naming the replacement, as a deprecated option should.
 */
const REMOVED_OPTIONS: Readonly<Record<string, string>> = {
  healthMinMigration: 'migrationsProbe(readVersion, { minVersion })',
  redisUrl: SERVICE_SETTING,
  databaseUrl: SERVICE_SETTING,
  s3Endpoint: SERVICE_SETTING,
  jwtSecret: SERVICE_SETTING,
  jwtSecretMinLength: SERVICE_SETTING,
};

/**
 * The environment as `resolveConfig` would read it, without validating anything else: lets `init()`
 * decide whether a config error must stop the service (production) or only switch observability off.
 */
export function environmentOf(options: SightlineOptions = {}, env: NodeJS.ProcessEnv = process.env): string {
  const resource = parseResourceAttributes(env[RESOURCE_ATTRIBUTES_ENV]).attributes;
  return options.environment ?? envValue('environment', env, resource)?.value ?? DEFAULTS.environment;
}

/**
 * Merges options over env over defaults (all from the table in options.ts) and validates the result.
 * Throws a {@link SightlineError} naming the key (`SIGHTLINE_CONFIG_<KEY>`), where it came from,
 * what was expected and what came (secrets are not echoed). `cwd` is where the service name's
 * package.json is looked up.
 */
export function resolveConfig(
  options: SightlineOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ResolvedConfig {
  const envResource = parseResourceAttributes(env[RESOURCE_ATTRIBUTES_ENV]);
  const resource = envResource.attributes;
  const raw: Record<string, unknown> = { ...DEFAULTS };
  for (const key of OPTION_NAMES) {
    const hit = envValue(key, env, resource);
    if (hit !== undefined) raw[key] = hit.value;
  }
  for (const key of OPTION_NAMES) {
    if (options[key] !== undefined) raw[key] = options[key];
  }
  // Read only when nothing else names the service: the one default that touches the file system.
  raw.serviceName ??= defaultServiceName(cwd);
  const result = optionsSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? 'unknown') as OptionName;
    const received = isSecret(key) ? '(hidden)' : JSON.stringify(raw[key]);
    throw configError(
      key,
      `invalid ${sourceOf(key, options, env, resource)}: ${issue?.message ?? 'invalid value'}; received ${received}`,
    );
  }
  const { adminToken, ...rest } = result.data;
  const production = isProduction(rest.environment);
  if (production && rest.metricsPublic) {
    throw configError(
      'metricsPublic',
      `${sourceOf('metricsPublic', options, env, resource)} is true but environment is "${rest.environment}": public ops endpoints are for development only`,
    );
  }
  const warnings: string[] =
    envResource.error === undefined ? [] : [`${REPORTED.CONFIG_OTEL_RESOURCE_ATTRIBUTES.code}: ${envResource.error}`];
  for (const [key, replacement] of Object.entries(REMOVED_OPTIONS)) {
    if ((options as Record<string, unknown>)[key] !== undefined) {
      warnings.push(`${REPORTED.CONFIG_REMOVED_OPTION.code}: option "${key}" is ignored; use ${replacement}`);
    }
  }
  return {
    config: Object.freeze({
      ...rest,
      adminTokenSet: adminToken !== undefined,
      production,
      resourceAttributes: Object.freeze({ ...resource }),
    }),
    adminToken,
    warnings,
  };
}

/**
 * The config of a Sightline that is off: the defaults, `enabled: false`. What `init()` runs with when
 * the real config is invalid outside production.
 */
export function disabledConfig(cwd: string = process.cwd()): SightlineConfig {
  return Object.freeze({
    ...DEFAULTS,
    serviceName: defaultServiceName(cwd),
    serviceNamespace: undefined,
    disabledInstrumentations: [],
    enabled: false,
    adminTokenSet: false,
    production: false,
    resourceAttributes: {},
  });
}

/** The OTLP gRPC exporter speaks `http(s)://`; `grpc://` means plaintext gRPC. */
export function grpcUrl(endpoint: string): string {
  return endpoint.replace(/^grpc:\/\//, 'http://');
}
