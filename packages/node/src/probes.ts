import { HEALTH_REASONS, type ReadinessProbe } from './health.js';

/** Anything with a `ping()`: node-redis and ioredis clients both qualify. */
export interface PingableClient {
  ping(): Promise<unknown>;
}
/** Anything with `query(sql)`: a `pg` Pool or Client. */
export interface QueryableClient {
  query(sql: string): Promise<unknown>;
}

/** Redis readiness: `PING` answered within `timeoutMs`. Records `<ns>.redis.up` and `<ns>.redis.latency`. */
export function redisProbe(client: PingableClient, options: { timeoutMs?: number } = {}): ReadinessProbe {
  return {
    timeoutMs: options.timeoutMs ?? 200,
    metric: 'redis',
    async check() {
      await client.ping();
      return undefined;
    },
  };
}

/** PostgreSQL readiness: `SELECT 1` within `timeoutMs`. Records `<ns>.postgres.up` and `<ns>.postgres.latency`. */
export function postgresProbe(pool: QueryableClient, options: { timeoutMs?: number } = {}): ReadinessProbe {
  return {
    timeoutMs: options.timeoutMs ?? 300,
    metric: 'postgres',
    async check() {
      await pool.query('SELECT 1');
      return undefined;
    },
  };
}

/** Compares migration versions: numerically when both are numbers ("0008" < "0010"), else as text. */
export function compareVersions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(a) - Number(b);
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Options of {@link migrationsProbe}. */
export interface MigrationsProbeOptions {
  /** @default 1000 */
  timeoutMs?: number;
  /** Lowest applied version that passes, e.g. "0008" (the service's own setting). @default undefined (any) */
  minVersion?: string | undefined;
}

/** Migrations readiness: the applied version is at least `minVersion` (any version passes when unset). */
export function migrationsProbe(
  readVersion: () => Promise<string | number>,
  options: MigrationsProbeOptions = {},
): ReadinessProbe {
  const { minVersion } = options;
  return {
    timeoutMs: options.timeoutMs ?? 1000,
    async check() {
      const version = String(await readVersion());
      const ok = minVersion === undefined || compareVersions(version, minVersion) >= 0;
      return ok ? { ok, version } : { ok, version, reason: HEALTH_REASONS.belowMinimum };
    },
  };
}
