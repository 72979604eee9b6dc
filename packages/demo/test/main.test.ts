import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  dumpLogs,
  freePort,
  type ManagedProcess,
  type PostgresServer,
  type RedisServer,
  startPostgres,
  startProcess,
  startRedis,
  waitFor,
} from '@sightline/harness';
import { afterAll, beforeAll, test } from 'vitest';
import { JWT_SECRET } from './helpers.ts';

const DEMO_DIR = fileURLToPath(new URL('..', import.meta.url));
let redis: RedisServer;
let postgres: PostgresServer;
const started: ManagedProcess[] = [];

/** The `npm start` command line, run directly so the test owns the process. */
async function startService(env: Record<string, string>): Promise<ManagedProcess> {
  const service = startProcess({
    name: 'divan',
    command: process.execPath,
    args: ['--import', 'tsx', '--import', './src/preload.ts', 'src/main.ts'],
    cwd: DEMO_DIR,
    env: {
      HOST: '127.0.0.1',
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      // Nothing listens there: exports fail quietly, the service must not care.
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      HEALTH_MIN_MIGRATION: '0008',
      ...env,
    },
  });
  started.push(service);
  return service;
}

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
});

afterAll(async () => {
  await Promise.allSettled(started.map((p) => p.stop()));
  await Promise.allSettled([redis?.stop(), postgres?.stop()]);
});

test('the service starts with observability on, becomes ready at migration 0008 and stops cleanly on SIGTERM', async () => {
  const port = await freePort();
  const service = await startService({ PORT: String(port), JWT_SECRET });
  try {
    await startsAndStops(service, `http://127.0.0.1:${port}`);
  } catch (error) {
    process.stderr.write(dumpLogs(service));
    throw error;
  }
});

async function startsAndStops(service: ManagedProcess, base: string): Promise<void> {
  const ready = await waitFor(
    async () => {
      const response = await fetch(`${base}/health/ready`);
      return response.ok ? response.json() : undefined;
    },
    { what: 'divan to be ready', timeoutMs: 60_000 },
  );
  assert.equal(ready.checks.migrations.version, '0008');
  const live = await fetch(`${base}/health/live`);
  assert.equal(live.status, 200);
  assert.ok(live.headers.get('x-request-id'), 'the Sightline plugin sets X-Request-Id');
  const unknown = await fetch(`${base}/nope`);
  assert.equal(unknown.status, 404);
  await waitFor(() => service.logs().includes('divan api listening'), { what: 'the listening log line' });
  service.child.kill('SIGTERM');
  assert.equal(await service.exited(), 0);
}

test('a JWT_SECRET shorter than 32 characters stops startup with an error naming the key', async () => {
  const service = await startService({ PORT: String(await freePort()), JWT_SECRET: 'short' });
  assert.equal(await service.exited(), 78);
  const logs = service.logs();
  const fatal = logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => line.level === 'fatal');
  assert.deepEqual(
    { code: fatal?.code, detail: fatal?.detail, msg: fatal?.msg },
    {
      code: 'DIVAN_CONFIG_JWT_SECRET',
      detail: 'expected at least 32 characters; received (hidden)',
      msg: 'invalid configuration',
    },
    logs,
  );
  assert.doesNotMatch(logs, /"short"/);
});
