import assert from 'node:assert/strict';
import { test } from 'vitest';
import { loadConfig } from '../src/config.ts';

const SECRET = 'x'.repeat(32);

test('defaults fill everything but JWT_SECRET', () => {
  const config = loadConfig({ JWT_SECRET: SECRET });
  assert.equal(config.PORT, 8000);
  assert.equal(config.REDIS_URL, 'redis://127.0.0.1:6379');
  assert.equal(config.LOGIN_MAX_FAILURES, 5);
  assert.equal(config.MIGRATE_ON_START, true);
  assert.deepEqual(config.ACTIVITY_KINDS, ['study', 'sport', 'social', 'game', 'event']);
});

test('a missing or short JWT_SECRET is refused by name without echoing it', () => {
  assert.throws(() => loadConfig({}), { code: 'DIVAN_CONFIG_JWT_SECRET' });
  assert.throws(
    () => loadConfig({ JWT_SECRET: 'short-secret' }),
    (error: Error) => {
      assert.match(error.message, /^DIVAN_CONFIG_JWT_SECRET: expected at least 32 characters; received \(hidden\)$/);
      return true;
    },
  );
});

test('bad values name the key, what was expected and what came', () => {
  assert.throws(
    () => loadConfig({ JWT_SECRET: SECRET, PORT: 'eighty' }),
    /^Error: DIVAN_CONFIG_PORT: .*received "eighty"/,
  );
  assert.throws(
    () => loadConfig({ JWT_SECRET: SECRET, REDIS_URL: 'http://cache' }),
    /DIVAN_CONFIG_REDIS_URL: expected a redis:\/\/ URL; received "http:\/\/cache"/,
  );
  assert.throws(
    () => loadConfig({ JWT_SECRET: SECRET, ACTIVITY_KINDS: 'study,Bad Kind' }),
    /DIVAN_CONFIG_ACTIVITY_KINDS: expected ids of a-z/,
  );
  assert.throws(() => loadConfig({ JWT_SECRET: SECRET, MIGRATE_ON_START: 'yes' }), /DIVAN_CONFIG_MIGRATE_ON_START/);
});
