import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
// Config is internal since the public API is pinned small (exports.test.ts); init() options are the public face.
import { DEFAULTS, resolveConfig, type SightlineOptions } from '../src/config.ts';
import type { SightlineError } from '../src/errors.ts';

const error = (fn: () => unknown) => {
  try {
    fn();
  } catch (caught) {
    return caught as SightlineError;
  }
  assert.fail('expected an error');
};

describe('config', () => {
  it('uses the defaults when nothing is set', () => {
    const { config, adminToken } = resolveConfig({}, {});
    assert.equal(config.enabled, true);
    assert.equal(config.otlpEndpoint, DEFAULTS.otlpEndpoint);
    assert.equal(
      config.serviceNamespace,
      undefined,
      'no namespace unless one is set: the metric prefix is the catalog’s',
    );
    assert.equal(config.logSamplingRateInfo, 0.1);
    assert.equal(config.environment, 'development');
    assert.equal(config.cardinalityLimit, 2000);
    assert.deepEqual(config.disabledInstrumentations, []);
    assert.equal(adminToken, undefined);
  });

  it('favours an explicit option over the env var over the default', () => {
    const env = { OTEL_SERVICE_NAME: 'from-env', LOG_LEVEL: 'DEBUG', OBS_TRACING_ENABLED: 'false' };
    const { config } = resolveConfig({ serviceName: 'from-option' }, env);
    assert.equal(config.serviceName, 'from-option');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.tracingEnabled, false);
    assert.equal(resolveConfig({}, env).config.serviceName, 'from-env');
  });

  it('reads the environment from DEPLOYMENT_ENVIRONMENT before NODE_ENV', () => {
    assert.equal(resolveConfig({}, { NODE_ENV: 'test' }).config.environment, 'test');
    assert.equal(
      resolveConfig({}, { NODE_ENV: 'test', DEPLOYMENT_ENVIRONMENT: 'staging' }).config.environment,
      'staging',
    );
  });

  it('accepts grpc://, http:// and https:// OTLP endpoints and rejects others naming the env var', () => {
    for (const endpoint of ['grpc://otel-collector:4317', 'http://127.0.0.1:4317', 'https://collector.example:4317']) {
      assert.equal(resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).config.otlpEndpoint, endpoint);
    }
    const caught = error(() => resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4317' }));
    assert.equal(caught.code, 'SIGHTLINE_CONFIG_OTLP_ENDPOINT');
    assert.match(caught.message, /env OTEL_EXPORTER_OTLP_ENDPOINT/);
    assert.match(caught.message, /received "otel-collector:4317"/);
  });

  it('names the key, the source and what came for a bad number', () => {
    const caught = error(() => resolveConfig({}, { LOG_SAMPLING_RATE_INFO: '2' }));
    assert.equal(caught.code, 'SIGHTLINE_CONFIG_LOG_SAMPLING_RATE_INFO');
    assert.match(caught.message, /env LOG_SAMPLING_RATE_INFO/);
    assert.match(caught.message, /received "2"/);
    const fromOption = error(() => resolveConfig({ cardinalityLimit: 0 }, {}));
    assert.match(fromOption.message, /option "cardinalityLimit"/);
  });

  it('reads the export batch size (default 128) and rejects a batch of 0 naming the env var', () => {
    assert.equal(resolveConfig({}, {}).config.exportBatchSize, 512);
    assert.equal(resolveConfig({}, { OBS_EXPORT_BATCH_SIZE: '32' }).config.exportBatchSize, 32);
    const caught = error(() => resolveConfig({}, { OBS_EXPORT_BATCH_SIZE: '0' }));
    assert.equal(caught.code, 'SIGHTLINE_CONFIG_EXPORT_BATCH_SIZE');
    assert.match(caught.message, /env OBS_EXPORT_BATCH_SIZE/);
  });

  it('rejects unknown instrumentation names and parses the comma list', () => {
    assert.deepEqual(
      resolveConfig({}, { OBS_DISABLED_INSTRUMENTATIONS: 'pg, Redis' }).config.disabledInstrumentations,
      ['pg', 'redis'],
    );
    assert.equal(
      error(() => resolveConfig({}, { OBS_DISABLED_INSTRUMENTATIONS: 'pg,mongo' })).code,
      'SIGHTLINE_CONFIG_DISABLED_INSTRUMENTATIONS',
    );
  });

  it('refuses OBS_METRICS_PUBLIC in production and allows it in development', () => {
    const caught = error(() => resolveConfig({}, { OBS_METRICS_PUBLIC: 'true', NODE_ENV: 'production' }));
    assert.equal(caught.code, 'SIGHTLINE_CONFIG_METRICS_PUBLIC');
    assert.equal(resolveConfig({}, { OBS_METRICS_PUBLIC: 'true' }).config.metricsPublic, true);
  });

  it('never echoes a secret in an error and keeps it out of the resolved config', () => {
    const caught = error(() => resolveConfig({}, { OBS_ADMIN_TOKEN: 'short-secret' }));
    assert.equal(caught.code, 'SIGHTLINE_CONFIG_ADMIN_TOKEN');
    assert.doesNotMatch(caught.message, /short-secret/);
    const { config, adminToken } = resolveConfig(
      {},
      { OBS_ADMIN_TOKEN: 'a-long-enough-admin-token', JWT_SECRET: 'x'.repeat(40) },
    );
    assert.equal(adminToken, 'a-long-enough-admin-token');
    assert.equal(config.adminTokenSet, true);
    assert.doesNotMatch(JSON.stringify(config), /a-long-enough-admin-token|xxxxxxxx/);
  });

  it("reads none of a service's own settings: those are the service's, checked through health.addStartupCheck", () => {
    const env = {
      REDIS_URL: 'http://not-redis',
      DATABASE_URL: 'nonsense',
      S3_ENDPOINT: 'nonsense',
      JWT_SECRET: 'short',
      HEALTH_MIN_MIGRATION: '0008',
    };
    const { config } = resolveConfig({}, env);
    assert.deepEqual(
      Object.keys(config).filter((key) => /redis|database|s3|jwt|migration/i.test(key)),
      [],
    );
    assert.doesNotMatch(JSON.stringify(config), /not-redis|nonsense|short|0008/);
  });

  it('ignores an option that became the service’s own, with a warning naming the replacement', () => {
    const { config, warnings } = resolveConfig(
      { healthMinMigration: '0008', jwtSecret: 'x'.repeat(40) } as SightlineOptions,
      {},
    );
    assert.deepEqual(warnings, [
      'SIGHTLINE_CONFIG_REMOVED_OPTION: option "healthMinMigration" is ignored; use migrationsProbe(readVersion, { minVersion })',
      'SIGHTLINE_CONFIG_REMOVED_OPTION: option "jwtSecret" is ignored; use the service\'s own setting, validated where it loads its config and reported with health.addStartupCheck',
    ]);
    assert.doesNotMatch(JSON.stringify(config), /0008|xxxxxxxx/);
    assert.deepEqual(resolveConfig({}, {}).warnings, []);
  });

  it('rejects a flag that is not a boolean word', () => {
    assert.equal(error(() => resolveConfig({}, { OBS_ENABLED: 'maybe' })).code, 'SIGHTLINE_CONFIG_ENABLED');
    assert.equal(resolveConfig({}, { OBS_ENABLED: 'FALSE' }).config.enabled, false);
  });
});
