// Divan's catalogs through the SDK's real init(): the views of init({ catalogs }) apply to the
// instruments createDomainMetrics creates (cardinality limits, buckets), read back from an in-memory
// exporter after shutdown() flushes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AggregationTemporality, InMemoryMetricExporter, type MetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createDomainMetrics, init, type Sightline } from '@sightline/node';
import { beforeAll, describe, it } from 'vitest';
import { businessCatalog, DIVAN_CATALOGS, domainCatalog } from '../src/metrics/index.ts';

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
let sightline: Sightline;
let exported: MetricData[] = [];

function points(name: string): Array<{ attributes: Record<string, unknown>; value: unknown }> {
  const metric = exported.find((candidate) => candidate.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((point) => ({ attributes: { ...point.attributes }, value: point.value }));
}

function valueAt(name: string, attributes: Record<string, unknown>): unknown {
  const wanted = JSON.stringify(Object.entries(attributes).sort());
  return points(name).find((point) => JSON.stringify(Object.entries(point.attributes).sort()) === wanted)?.value;
}

beforeAll(async () => {
  sightline = init({
    serviceName: 'divan-metrics-test',
    catalogs: DIVAN_CATALOGS,
    logsEnabled: false,
    logDestination: { write: () => {} },
    exporters: { metrics: exporter, spans: new InMemorySpanExporter() },
  });
  assert.equal(sightline.enabled, true);
  const metrics = createDomainMetrics(sightline, domainCatalog, { labelValues: { campusIds: ['itu', 'boun'] } });
  metrics.presenceHeartbeats.inc({ campus_id: 'itu' });
  metrics.presenceHeartbeats.add(2, { campus_id: 'itu' });
  metrics.presenceHeartbeats.inc({ campus_id: 'somewhere-else' });
  metrics.identityLogins.inc({ outcome: 'success' });
  metrics.identityLogins.inc({ outcome: 'hacked' });
  metrics.authFailuresByIp.inc({ ip_prefix: '10.20.30.40' });
  metrics.authFailuresByUser.inc({ user_id_prefix: 'f00dbabe-1234' });
  metrics.proximityQueries.inc({ radius: 120 });
  metrics.proximityQueryDuration.record(0.004, { radius: 120 });
  for (let i = 0; i < 1500; i++) metrics.requestsByIp.inc({ ip_prefix: `${(i >> 8) + 1}.${i & 255}.9.9` });
  await sightline.shutdown();
  exported =
    exporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((scope) => scope.metrics) ?? [];
});

describe("Divan's catalog", () => {
  it('records configured and enum values by name and folds everything else into other', () => {
    assert.equal(valueAt('divan.presence.heartbeats', { campus_id: 'itu' }), 3);
    assert.equal(valueAt('divan.presence.heartbeats', { campus_id: 'other' }), 1);
    assert.equal(points('divan.presence.heartbeats').length, 2);
    assert.deepEqual(
      points('divan.identity.logins')
        .map((point) => [point.attributes.outcome, point.value])
        .sort(),
      [
        ['other', 1],
        ['success', 1],
      ],
    );
  });

  it('records prefixes and buckets, never the raw address, user id or radius', () => {
    assert.deepEqual(points('divan.auth.failures.by_ip')[0]?.attributes, { ip_prefix: '10.20.0.0/16' });
    assert.deepEqual(points('divan.auth.failures.by_user')[0]?.attributes, { user_id_prefix: 'f0' });
    assert.deepEqual(points('divan.proximity.queries')[0]?.attributes, { radius: '250' });
  });

  it('gets the catalog buckets from the views init() applied', () => {
    const point = points('divan.proximity.query.duration')[0]?.value as { buckets: { boundaries: number[] } };
    assert.deepEqual(point.buckets.boundaries, [...(domainCatalog.metrics.proximityQueryDuration.buckets ?? [])]);
  });

  it('caps an instrument at the cardinality limit of its view and sends the rest to the overflow series', () => {
    const limit = domainCatalog.instruments.requestsByIp.cardinalityLimit;
    assert.equal(limit, 1002);
    const series = points('divan.requests.by_ip');
    assert.equal(series.length, limit);
    assert.equal(valueAt('divan.requests.by_ip', { 'otel.metric.overflow': true }), 1500 - (limit - 1));
  });

  it('creates the opt-in business instruments only when asked', () => {
    assert.equal(
      exported.some((metric) => metric.descriptor.name.startsWith('divan.payments')),
      false,
    );
    assert.ok(Object.keys(businessCatalog.metrics).length > 0);
  });

  it('defines each instrument once, the SDK’s metrics included, and never with unit 1', () => {
    const names = sightline.catalogs.flatMap((catalog) => Object.values(catalog.instruments).map((i) => i.name));
    assert.deepEqual(
      names.filter((name, index) => names.indexOf(name) !== index),
      [],
    );
    const definitions = sightline.catalogs.flatMap((catalog) => Object.values(catalog.metrics));
    assert.deepEqual(
      definitions.filter((definition) => definition.unit === '1').map((definition) => definition.name),
      [],
    );
  });

  it('contains every divan.* instrument the cross-team contract names, and nothing else unannounced', () => {
    const contract = readFileSync(new URL('../../../docs/CONTRACT.md', import.meta.url), 'utf8');
    const named = new Set<string>();
    for (const row of contract.split('\n').filter((line) => line.startsWith('|'))) {
      const firstCell = row.split('|')[1] ?? '';
      for (const match of firstCell.matchAll(/`(divan\.[a-z0-9_.]+)`/g)) if (match[1]) named.add(match[1]);
    }
    const defined = new Set(
      sightline.catalogs.flatMap((catalog) => Object.values(catalog.instruments).map((i) => i.name)),
    );
    assert.deepEqual(
      [...named].filter((name) => !defined.has(name)),
      [],
    );
    assert.deepEqual(
      [...defined].filter((name) => !named.has(name)),
      [],
    );
  });
});
