import assert from 'node:assert/strict';
import { it } from 'vitest';
import * as api from '../src/index.ts';

// The public surface is a contract (docs/CONTRACT.md), kept small on purpose: init, the framework
// adapters, the metric catalog, jobs, Socket.IO, health and ops, and the one error class. Adding or
// removing a runtime export is a deliberate change here.
it('exports exactly the documented runtime API', () => {
  assert.deepEqual(Object.keys(api).sort(), [
    'HEALTH_REASONS',
    'HEALTH_ROUTES',
    'OPS_ROUTES',
    'SightlineError',
    'createDomainMetrics',
    'defineCatalog',
    'init',
    'instrumentSocketIO',
    'job',
    'migrationsProbe',
    'postgresProbe',
    'redisProbe',
    'sightlineExpress',
    'sightlineFastify',
  ]);
});

it('exports the contract functions as functions', () => {
  for (const name of [
    'init',
    'sightlineExpress',
    'redisProbe',
    'postgresProbe',
    'migrationsProbe',
    'defineCatalog',
    'createDomainMetrics',
    'instrumentSocketIO',
    'job',
  ] as const) {
    // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the test walks the public export list by name
    assert.equal(typeof api[name], 'function', name);
  }
  assert.equal(typeof api.sightlineFastify, 'function');
});
