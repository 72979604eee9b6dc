import { z } from 'zod';

/** Stable code prefix of every Divan configuration error. */
export const CONFIG_ERROR = 'DIVAN_CONFIG';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9_-]{1,32}$/, 'expected ids of a-z, 0-9, _ or - (at most 32 chars)')));

/**
 * Every env var the service reads, with its default: one visible place, and the only place Divan's
 * settings are validated (the SDK knows none of them; `/health/startup` reports these results).
 */
const schema = z.object({
  PORT: int(0, 65535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/divan'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters'),
  ACCESS_TOKEN_TTL_S: int(1).default(900),
  REFRESH_TOKEN_TTL_S: int(1).default(7 * 24 * 3600),
  LOGIN_MAX_FAILURES: int(1).default(5),
  LOCKOUT_S: int(1).default(900),
  RATE_LIMIT_WINDOW_S: int(1).default(60),
  RATE_LIMIT_AUTH: int(1).default(30),
  RATE_LIMIT_CHAT: int(1).default(600),
  RATE_LIMIT_PROXIMITY: int(1).default(600),
  RATE_LIMIT_DEFAULT: int(1).default(1200),
  ACTIVITY_KINDS: list.default(['study', 'sport', 'social', 'game', 'event']),
  PRESENCE_TTL_S: int(1).default(120),
  PRESENCE_MAX_SKEW_S: int(1).default(60),
  LB_SNAPSHOT_INTERVAL_MS: int(0).default(60_000),
  DB_POOL_MAX: int(1).default(20),
  MIGRATE_ON_START: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  INTENT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  HEALTH_MIN_MIGRATION: z
    .string()
    .trim()
    .regex(/^\d{4}$/, 'expected a migration version like 0008')
    .optional(),
});

/** The resolved, validated service configuration. */
export type DivanConfig = z.output<typeof schema>;
/** Env-shaped input: every value a string, as in `process.env`. */
export type DivanEnv = Partial<Record<keyof z.input<typeof schema>, string | undefined>>;

/**
 * Reads the config from `env` (default `process.env`) and validates it.
 * Throws `DIVAN_CONFIG_<KEY>: ...` naming the key, what was expected and what came (secrets hidden).
 */
export function loadConfig(env: DivanEnv | NodeJS.ProcessEnv = process.env): DivanConfig {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = (env as Record<string, string | undefined>)[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue?.path[0] ?? 'UNKNOWN');
  const secret = key.includes('SECRET');
  const received = secret ? '(hidden)' : JSON.stringify(input[key]);
  throw Object.assign(new Error(`${CONFIG_ERROR}_${key}: ${issue?.message ?? 'invalid'}; received ${received}`), {
    code: `${CONFIG_ERROR}_${key}`,
  });
}

/** Settings `/health/startup` reports, each by the validator that admitted it: `check name -> key`. */
const STARTUP_SETTINGS = {
  redis_url: 'REDIS_URL',
  database_url: 'DATABASE_URL',
  jwt_secret: 'JWT_SECRET',
} as const satisfies Record<string, keyof typeof schema.shape>;

/**
 * Startup checks for `health.addStartupCheck`: each re-applies its key's validator above (no second
 * definition) to the value the service runs with, so `/health/startup` names what was checked.
 */
export function settingsChecks(config: DivanConfig): Record<string, () => boolean> {
  return Object.fromEntries(
    Object.entries(STARTUP_SETTINGS).map(([name, key]) => [
      name,
      () => schema.shape[key].safeParse(config[key]).success,
    ]),
  );
}
