import assert from 'node:assert/strict';
import { startDivan } from '@sightline/demo';
import { type PostgresServer, type RedisServer, startPostgres, startRedis } from '@sightline/harness';
import { init } from '@sightline/node';
import { afterAll, beforeAll, test } from 'vitest';
import { createPool } from '../src/db.ts';
import { DIVAN_CATALOGS } from '../src/metrics/index.ts';
import { LATEST_MIGRATION, migrate, readMigrationVersion } from '../src/migrate.ts';
import { JWT_SECRET } from './helpers.ts';

let postgres: PostgresServer;
let redis: RedisServer;

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
});
afterAll(async () => {
  await Promise.allSettled([postgres?.stop(), redis?.stop()]);
});

test('migrations apply once, in order, even when two instances start together', async () => {
  const pool = createPool(postgres.url, 4);
  try {
    assert.equal(await readMigrationVersion(pool), '0000');
    const [a, b] = await Promise.all([migrate(pool), migrate(pool)]);
    assert.equal(a, LATEST_MIGRATION);
    assert.equal(b, LATEST_MIGRATION);
    const { rows } = await pool.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((r) => r.version),
      ['0001', '0002', '0003', '0004', '0005', '0006', '0007', '0008'],
    );
    assert.equal(await migrate(pool), LATEST_MIGRATION);
  } finally {
    await pool.end();
  }
});

test('readiness is 503 while the applied migration is below HEALTH_MIN_MIGRATION', async () => {
  const sightline = init({ enabled: false, catalogs: DIVAN_CATALOGS, logDestination: { write: () => {} } });
  const { url, divan } = await startDivan(
    {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      JWT_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      HEALTH_MIN_MIGRATION: '0009',
    },
    { sightline, consumer: false },
  );
  try {
    const ready = await fetch(`${url}/health/ready`);
    assert.equal(ready.status, 503);
    const body = await ready.json();
    assert.deepEqual(
      { ok: body.checks.migrations.ok, version: body.checks.migrations.version },
      { ok: false, version: '0008' },
    );
    assert.equal(body.checks.postgres.ok, true);
  } finally {
    await divan.close();
  }
});
