// Shared by the Divan tests: real Redis and PostgreSQL, a Sightline whose metrics land in memory.
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { type PostgresServer, type RedisServer, startPostgres, startRedis } from '@sightline/harness';
import { init, type Sightline } from '@sightline/node';
import { buildApp, type DivanApp } from '../src/app.ts';
import { type DivanConfig, loadConfig } from '../src/config.ts';
import { DIVAN_CATALOGS } from '../src/metrics/index.ts';

export const JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

export interface Metrics {
  /** Exports now; every data point of the named instrument as `{ attributes, value }`. */
  points(name: string): Promise<Array<{ attributes: Record<string, unknown>; value: unknown }>>;
  /** Names of every instrument that has at least one data point. */
  names(): Promise<string[]>;
}

/**
 * The global MeterProvider reads into memory, and `init({ enabled: false })` then hands its meter to
 * the service: domain, job, Socket.IO and probe metrics are all observable without a collector.
 */
export function inMemorySightline(logLines: string[]): { sightline: Sightline; metrics: Metrics } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  const sightline = init({
    enabled: false,
    catalogs: DIVAN_CATALOGS,
    adminToken: ADMIN_TOKEN,
    logLevel: 'debug',
    logDestination: { write: (line: string) => void logLines.push(line) },
  });
  const collect = async () => {
    exporter.reset();
    await reader.forceFlush();
    return (
      exporter
        .getMetrics()
        .at(-1)
        ?.scopeMetrics.flatMap((scope) => scope.metrics) ?? []
    );
  };
  return {
    sightline,
    metrics: {
      async points(name) {
        const metric = (await collect()).find((m) => m.descriptor.name === name);
        return (metric?.dataPoints ?? []).map((point: DataPoint<unknown>) => ({
          attributes: { ...point.attributes },
          value: point.value,
        }));
      },
      async names() {
        return (await collect()).filter((m) => m.dataPoints.length > 0).map((m) => m.descriptor.name);
      },
    },
  };
}

export interface Stack {
  redis: RedisServer;
  postgres: PostgresServer;
  config(overrides?: Record<string, string>): DivanConfig;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  return {
    redis,
    postgres,
    config: (overrides = {}) =>
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: postgres.url,
        REDIS_URL: redis.url,
        JWT_SECRET,
        LB_SNAPSHOT_INTERVAL_MS: '0',
        RATE_LIMIT_AUTH: '1000',
        HEALTH_MIN_MIGRATION: '0008',
        ...overrides,
      }),
    stop: async () => {
      await Promise.allSettled([redis.stop(), postgres.stop()]);
    },
  };
}

/** Registers, logs in and returns the user id and tokens. */
export async function signUp(
  divan: DivanApp,
  username: string,
): Promise<{ id: string; access: string; refresh: string; auth: { authorization: string } }> {
  const password = 'correct horse battery';
  const registered = await divan.app.inject({ method: 'POST', url: '/auth/register', payload: { username, password } });
  if (registered.statusCode !== 201)
    throw new Error(`register ${username}: ${registered.statusCode} ${registered.body}`);
  const login = await divan.app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });
  if (login.statusCode !== 200) throw new Error(`login ${username}: ${login.statusCode} ${login.body}`);
  const tokens = login.json() as { access_token: string; refresh_token: string };
  return {
    id: registered.json().id,
    access: tokens.access_token,
    refresh: tokens.refresh_token,
    auth: { authorization: `Bearer ${tokens.access_token}` },
  };
}

export { buildApp, type DivanApp };
