import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { type PostgresServer, type RedisServer, startPostgres, startRedis, waitFor } from '@sightline/harness';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createHealth } from '../src/health.ts';
import { HttpCore } from '../src/http/core.ts';
import {
  defineCatalog,
  init,
  migrationsProbe,
  postgresProbe,
  redisProbe,
  type Sightline,
  sightlineFastify,
} from '../src/index.ts';
import { discardLogs } from './log-capture.ts';

const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
metrics.shutdown = async () => {};
const sink = discardLogs();

let redisServer: RedisServer;
let postgresServer: PostgresServer;
let redis: Redis;
let pool: Pool;
let sightline: Sightline;
let app: FastifyInstance;
let base: string;

interface Ready {
  status: string;
  checks: Record<string, { ok: boolean; latency_ms?: number; version?: string; reason?: string }>;
}
const ready = async () => {
  const response = await fetch(`${base}/health/ready`);
  return { status: response.status, body: (await response.json()) as Ready };
};
const logs = () => `${redisServer?.logs() ?? ''}\n${postgresServer?.logs() ?? ''}`;

describe('readiness against real Redis and PostgreSQL', () => {
  beforeAll(async () => {
    [redisServer, postgresServer] = await Promise.all([startRedis(), startPostgres()]);
    sightline = init({
      serviceName: 'health-test',
      // The probe metrics take the namespace of the service's catalog.
      catalogs: [defineCatalog({ namespace: 'shop', metrics: {} })],
      healthCheckIntervalMs: 200,
      tracingEnabled: false,
      logsEnabled: false,
      metricExportIntervalMs: 60_000,
      disabledInstrumentations: ['runtime'],
      logDestination: sink,
      exporters: { metrics },
    });
    const { Redis } = await import('ioredis');
    const pg = await import('pg');
    const { default: Fastify } = await import('fastify');
    redis = new Redis(redisServer.url, { lazyConnect: false, retryStrategy: () => 100 });
    redis.on('error', () => {});
    pool = new pg.default.Pool({ connectionString: postgresServer.url, max: 2, connectionTimeoutMillis: 250 });
    pool.on('error', () => {});
    await pool.query('CREATE TABLE schema_migrations (version text NOT NULL)');
    await pool.query("INSERT INTO schema_migrations VALUES ('0009')");
    sightline.health.addReadinessProbe('redis', redisProbe(redis));
    sightline.health.addReadinessProbe('postgres', postgresProbe(pool));
    sightline.health.addReadinessProbe(
      'migrations',
      migrationsProbe(
        async () => {
          const result = await pool.query<{ version: string }>('SELECT max(version) AS version FROM schema_migrations');
          return result.rows[0]?.version ?? '0';
        },
        { minVersion: '0008' },
      ),
    );
    app = Fastify();
    await app.register(sightlineFastify, { sightline });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await pool?.end().catch(() => {});
    await sightline?.shutdown();
    await Promise.all([redisServer?.stop(), postgresServer?.stop()]);
  });

  it('returns 200 and the spec JSON when every dependency is up', async () => {
    const { status, body } = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 200 ? r : undefined;
      },
      { what: 'readiness 200', timeoutMs: 15_000 },
    ).catch((error) => assert.fail(`${error}\n${logs()}`));
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
    assert.deepEqual(Object.keys(body.checks).sort(), ['migrations', 'postgres', 'redis']);
    assert.equal(body.checks.redis?.ok, true);
    assert.equal(typeof body.checks.redis?.latency_ms, 'number');
    assert.equal(body.checks.postgres?.ok, true);
    assert.deepEqual({ ...body.checks.migrations, latency_ms: 0 }, { ok: true, version: '0009', latency_ms: 0 });
  });

  it('returns 503 naming redis when Redis is stopped, and recovers when it is back', async () => {
    await redisServer.stop();
    const down = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 503 ? r : undefined;
      },
      { what: 'readiness 503 after redis stopped', timeoutMs: 15_000 },
    );
    assert.equal(down.body.status, 'fail');
    assert.equal(down.body.checks.redis?.ok, false);
    assert.ok(['timeout', 'error'].includes(String(down.body.checks.redis?.reason)), JSON.stringify(down.body));
    assert.ok((down.body.checks.redis?.latency_ms ?? 0) < 1000, 'a hanging PING is cut at its timeout');
    assert.equal(down.body.checks.postgres?.ok, true);
    await redisServer.start();
    await waitFor(async () => (await ready()).status === 200, {
      what: 'readiness 200 after redis restart',
      timeoutMs: 20_000,
    });
  });

  it('returns 503 naming postgres and migrations when PostgreSQL is stopped, and recovers', async () => {
    await postgresServer.stop();
    const down = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 503 ? r : undefined;
      },
      { what: 'readiness 503 after postgres stopped', timeoutMs: 15_000 },
    );
    assert.equal(down.body.checks.postgres?.ok, false);
    assert.equal(down.body.checks.migrations?.ok, false);
    assert.equal(down.body.checks.redis?.ok, true);
    assert.ok(!JSON.stringify(down.body).includes('ECONNREFUSED'), 'no error text leaks');
    await postgresServer.start();
    await waitFor(async () => (await ready()).status === 200, {
      what: 'readiness 200 after postgres restart',
      timeoutMs: 20_000,
    });
  });

  it("exports the catalog namespace's shop.redis.up, shop.postgres.up and their latencies", async () => {
    await sightline.shutdown();
    const names = new Map(
      metrics
        .getMetrics()
        .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
        .map((m) => [m.descriptor.name, m] as const),
    );
    for (const name of ['shop.redis.up', 'shop.postgres.up', 'shop.redis.latency', 'shop.postgres.latency']) {
      assert.ok(names.has(name), `${name} missing from ${[...names.keys()]}`);
    }
    assert.equal(names.get('shop.redis.up')?.dataPoints.at(-1)?.value, 1);
    assert.equal(names.get('shop.redis.latency')?.descriptor.unit, 's');
  });
});

describe('readiness probes in isolation', () => {
  const config = init({ enabled: false, logDestination: sink }).config;
  const quiet = init({ enabled: false, logDestination: sink });

  it('cuts a hanging probe at its timeout instead of hanging readiness', async () => {
    const health = createHealth({ config, meter: quiet.meter, logger: quiet.logger, background: false });
    health.addReadinessProbe('stuck', { timeoutMs: 100, check: () => new Promise(() => {}) });
    const started = Date.now();
    const report = await health.ready();
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual({ ...report.checks.stuck, latency_ms: 0 }, { ok: false, reason: 'timeout', latency_ms: 0 });
    assert.equal(report.status, 'fail');
  });

  it('treats a throwing probe as failed, and a migration below the minimum as failed', async () => {
    const readVersion = async () => '0007';
    const signal = new AbortController().signal;
    assert.deepEqual(await migrationsProbe(readVersion, { minVersion: '0008' }).check({ signal }), {
      ok: false,
      version: '0007',
      reason: 'below_minimum',
    });
    assert.deepEqual(await migrationsProbe(readVersion, { minVersion: '0007' }).check({ signal }), {
      ok: true,
      version: '0007',
    });
    assert.deepEqual(await migrationsProbe(readVersion).check({ signal }), { ok: true, version: '0007' });
    const health = createHealth({ config, meter: quiet.meter, logger: quiet.logger, background: false });
    health.addReadinessProbe('broken', {
      timeoutMs: 100,
      check: async () => Promise.reject(new Error('secret detail')),
    });
    const report = await health.ready();
    assert.equal(report.checks.broken?.reason, 'error');
  });

  it("startup runs the SDK's checks and the service's own; a failure is a reason code, never error text", async () => {
    const health = createHealth({ config, meter: quiet.meter, logger: quiet.logger, background: false });
    assert.deepEqual(await health.startup(), {
      status: 'ok',
      checks: { config: { ok: true }, otlp_endpoint: { ok: true } },
    });
    health.addStartupCheck('passes_true', () => true);
    health.addStartupCheck('passes_async', async () => undefined);
    health.addStartupCheck('jwt_secret', () => false);
    health.addStartupCheck('database_url', () => ({ ok: false, reason: 'invalid' }));
    health.addStartupCheck('throws', () => {
      throw new Error('secret detail');
    });
    health.addStartupCheck('hangs', () => new Promise(() => {}), { timeoutMs: 100 });
    const started = Date.now();
    const report = await health.startup();
    assert.ok(Date.now() - started < 1000, 'a hanging check is cut at its timeout');
    const outcome = Object.fromEntries(
      Object.entries(report.checks).map(([name, check]) => [name, check.ok ? 'ok' : check.reason]),
    );
    assert.deepEqual(outcome, {
      config: 'ok',
      otlp_endpoint: 'ok',
      passes_true: 'ok',
      passes_async: 'ok',
      jwt_secret: 'error',
      database_url: 'invalid',
      throws: 'error',
      hangs: 'timeout',
    });
    assert.equal(report.status, 'fail');
    assert.doesNotMatch(JSON.stringify(report), /secret detail/);

    health.addStartupCheck('jwt_secret', () => true);
    for (const name of ['database_url', 'throws', 'hangs']) health.addStartupCheck(name, () => true);
    assert.equal((await health.startup()).status, 'ok', 'adding a name again replaces its check');
  });

  it('refuses a probe or check name that is not lower-case letters, digits and _', () => {
    const health = createHealth({ config, meter: quiet.meter, logger: quiet.logger, background: false });
    for (const add of [
      () => health.addStartupCheck('JWT-secret', () => true),
      () => health.addReadinessProbe('Redis', { timeoutMs: 100, check: async () => undefined }),
    ]) {
      assert.throws(add, (error: Error & { code?: string }) => error.code === 'SIGHTLINE_HEALTH_PROBE_NAME');
    }
  });

  it('answers /health/startup 503 while a startup check fails', async () => {
    const sightline = init({ enabled: false, logDestination: sink });
    const core = new HttpCore(sightline);
    sightline.health.addStartupCheck('settings', () => false);
    const failing = await core.health('/health/startup', '127.0.0.1', undefined);
    assert.equal(failing.status, 503);
    assert.deepEqual((failing.body as Ready).checks.settings, {
      ok: false,
      reason: 'error',
      latency_ms: (failing.body as Ready).checks.settings?.latency_ms,
    });
    sightline.health.addStartupCheck('settings', () => true);
    assert.equal((await core.health('/health/startup', '10.1.2.3', undefined)).status, 200);
  });

  it('gives only the status to remote callers without the admin token', async () => {
    const core = new HttpCore(quiet);
    quiet.health.addReadinessProbe('ok_probe', { timeoutMs: 100, check: async () => undefined });
    const remote = await core.health('/health/ready', '10.1.2.3', undefined);
    assert.deepEqual(remote, { status: 200, body: { status: 'ok' } });
    const local = await core.health('/health/ready', '127.0.0.1', undefined);
    assert.deepEqual((local.body as Ready).checks.ok_probe?.ok, true);
  });
});
