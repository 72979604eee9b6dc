import assert from 'node:assert/strict';
import { it } from 'vitest';
import * as api from '../src/index.ts';

// The public surface is a contract (docs/CONTRACT.md): adding or removing an export is a deliberate change here.
it('exports exactly the documented runtime API', () => {
  assert.deepEqual(Object.keys(api).sort(), [
    'DEFAULTS',
    'DEFAULT_LABEL_VALUES',
    'ENV_VARS',
    'FORCE_SAMPLING_ATTRIBUTE',
    'HEALTH_REASONS',
    'HEALTH_ROUTES',
    'HTTP_SERVER_DURATION_BUCKETS',
    'INSTRUMENTATION_NAMES',
    'LOG_LEVELS',
    'MAX_CONFIGURED_VALUES',
    'OPS_ROUTES',
    'OTHER',
    'SightlineError',
    'UNMATCHED_ROUTE',
    'businessCatalog',
    'cardinalityLimitOf',
    'catalogViews',
    'compareVersions',
    'createBusinessMetrics',
    'createDomainMetrics',
    'domainCatalog',
    'init',
    'instrumentName',
    'instrumentSocketIO',
    'ipPrefix',
    'job',
    'migrationsProbe',
    'postgresProbe',
    'prometheusSeries',
    'radiusBucket',
    'redisProbe',
    'renderMetricsTable',
    'resolveConfig',
    'sightlineExpress',
    'sightlineFastify',
    'specMappings',
    'userIdPrefix',
  ]);
});

it('exports the contract functions as functions', () => {
  for (const name of [
    'init',
    'sightlineExpress',
    'redisProbe',
    'postgresProbe',
    'migrationsProbe',
    'createDomainMetrics',
    'instrumentSocketIO',
    'job',
  ] as const) {
    // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the test walks the public export list by name
    assert.equal(typeof api[name], 'function', name);
  }
  assert.equal(typeof api.sightlineFastify, 'function');
});
