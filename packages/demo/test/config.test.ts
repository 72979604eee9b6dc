import assert from 'node:assert/strict';
import { test } from 'vitest';
import { loadConfig, settingsChecks } from '../src/config.ts';

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

test('HEALTH_MIN_MIGRATION is a setting of the service, validated here and unset by default', () => {
  assert.equal(loadConfig({ JWT_SECRET: SECRET }).HEALTH_MIN_MIGRATION, undefined);
  assert.equal(loadConfig({ JWT_SECRET: SECRET, HEALTH_MIN_MIGRATION: '0008' }).HEALTH_MIN_MIGRATION, '0008');
  assert.throws(
    () => loadConfig({ JWT_SECRET: SECRET, HEALTH_MIN_MIGRATION: 'latest' }),
    /^Error: DIVAN_CONFIG_HEALTH_MIN_MIGRATION: expected a migration version like 0008; received "latest"$/,
  );
});

test('the startup checks re-apply the validators that admitted each setting', () => {
  const config = loadConfig({ JWT_SECRET: SECRET });
  const checks = settingsChecks(config);
  assert.deepEqual(Object.keys(checks), ['redis_url', 'database_url', 'jwt_secret']);
  for (const [name, check] of Object.entries(checks)) assert.equal(check(), true, name);
  // A value no validator would admit fails its check, so the check can fail.
  const bad = settingsChecks({ ...config, REDIS_URL: 'http://cache', JWT_SECRET: 'short' });
  assert.deepEqual(Object.fromEntries(Object.entries(bad).map(([name, check]) => [name, check()])), {
    redis_url: false,
    database_url: true,
    jwt_secret: false,
  });
});
