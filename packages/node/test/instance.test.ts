import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, it } from 'vitest';
import { HttpCore } from '../src/http/core.ts';
import { init, type Sightline } from '../src/index.ts';
import { LoadMeter } from '../src/load.ts';
import { InfoSampler } from '../src/logger.ts';
import { discardLogs } from './log-capture.ts';

const ADMIN_TOKEN = 'instance-test-admin-token-4f1c9e';
const spans = new InMemorySpanExporter();

/** JSON of `value`, cycles cut, so a test can look for a secret in everything that serialises. */
function json(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'object' && item !== null) {
      if (seen.has(item)) return '[cycle]';
      seen.add(item);
    }
    return typeof item === 'bigint' ? String(item) : item;
  });
}

describe('state on the Sightline instance', () => {
  let sightline: Sightline;
  afterAll(async () => {
    await sightline?.shutdown();
  });

  it('carries its load meter and log sampler as fields, and never shows the admin token', async () => {
    sightline = init({
      serviceName: 'instance-test',
      adminToken: ADMIN_TOKEN,
      metricsEnabled: false,
      logsEnabled: false,
      disabledInstrumentations: ['runtime'],
      logDestination: discardLogs(),
      exporters: { spans },
    });
    assert.equal(sightline.enabled, true);
    assert.ok(sightline.load instanceof LoadMeter);
    assert.ok(sightline.logSampler instanceof InfoSampler);

    // What a careless `logger.info({ sightline })`, a debugger or a crash dump would print.
    assert.ok(!json(sightline).includes(ADMIN_TOKEN), 'JSON.stringify');
    assert.ok(!inspect(sightline, { depth: 6 }).includes(ADMIN_TOKEN), 'util.inspect');
    assert.ok(!inspect(sightline, { depth: 6, showHidden: true }).includes(ADMIN_TOKEN), 'util.inspect showHidden');
    assert.ok(!json({ ...sightline }).includes(ADMIN_TOKEN), 'spread');
    assert.deepEqual(
      Object.keys(sightline).filter((key) => /token|admin|internal/i.test(key)),
      [],
      'no key names the token',
    );

    // The adapters still check it.
    const core = new HttpCore(sightline);
    assert.equal((await core.ops('/ops/trace/test', undefined)).status, 401);
    assert.equal((await core.ops('/ops/trace/test', 'Bearer wrong-token')).status, 403);
    assert.equal((await core.ops('/ops/trace/test', `Bearer ${ADMIN_TOKEN}`)).status, 200);
  });

  it('counts the requests the adapters begin on its own load meter', () => {
    const core = new HttpCore(sightline);
    for (let i = 0; i < 5; i++) core.begin(undefined);
    // The meter reports the last complete one-second window: read it one window later.
    assert.equal(sightline.load.rate(Date.now() + 1000), 5);
  });

  it('refuses an object that init() did not return', async () => {
    const fake = { ...sightline } as Sightline;
    const core = new HttpCore(fake);
    await assert.rejects(core.ops('/ops/trace/test', `Bearer ${ADMIN_TOKEN}`), { code: 'SIGHTLINE_NOT_INITIALIZED' });
  });
});
