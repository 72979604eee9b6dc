import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterAll, describe, it } from 'vitest';
import {
  businessCatalog,
  catalogViews,
  createBusinessMetrics,
  createDomainMetrics,
  domainCatalog,
  instrumentName,
  ipPrefix,
  type MetricDefinition,
  radiusBucket,
  userIdPrefix,
} from '../src/catalog/index.ts';
import { cardinalityLimitOf } from '../src/catalog/views.ts';
import { metricsHarness, valueAt } from './catalog-helpers.ts';

const definitions: MetricDefinition[] = [...Object.values(domainCatalog), ...Object.values(businessCatalog)];

describe('label bounding rules', () => {
  it('keeps only the /16 of an IPv4 address and the /32 of an IPv6 address', () => {
    assert.equal(ipPrefix('10.1.2.3'), '10.1.0.0/16');
    assert.equal(ipPrefix('::ffff:192.168.7.9'), '192.168.0.0/16');
    assert.equal(ipPrefix('2001:db8:85a3::8a2e:370:7334'), '2001:db8::/32');
    assert.equal(ipPrefix('2001::1'), '2001:0::/32');
    assert.equal(ipPrefix('[fe80::1%eth0]'), 'fe80:0::/32');
    assert.equal(ipPrefix('::1'), '0:0::/32');
    assert.equal(ipPrefix('not an ip'), 'other');
    assert.equal(ipPrefix(undefined), 'other');
  });

  it('keeps the first two hex characters of a user id', () => {
    assert.equal(userIdPrefix('AB12cd34-0000-0000-0000-000000000000'), 'ab');
    assert.equal(userIdPrefix(4211), '42');
    assert.equal(userIdPrefix('zed'), 'other');
    assert.equal(userIdPrefix(''), 'other');
  });

  it('puts a radius in the smallest bucket that holds it', () => {
    const buckets = [50, 100, 250, 500, 1000];
    assert.equal(radiusBucket(50, buckets), '50');
    assert.equal(radiusBucket(120, buckets), '250');
    assert.equal(radiusBucket('1000', buckets), '1000');
    assert.equal(radiusBucket(5000, buckets), 'other');
    assert.equal(radiusBucket(-3, buckets), 'other');
    assert.equal(radiusBucket('far', buckets), 'other');
  });
});

describe('createDomainMetrics', () => {
  const harness = metricsHarness(catalogViews());
  afterAll(() => harness.shutdown());
  const metrics = createDomainMetrics(harness.meter, { labelValues: { campusIds: ['itu', 'boun'] } });

  it('records configured and enum values by name and folds everything else into other', async () => {
    metrics.presenceHeartbeats.inc({ campus_id: 'itu' });
    metrics.presenceHeartbeats.add(2, { campus_id: 'itu' });
    metrics.presenceHeartbeats.inc({ campus_id: 'somewhere-else' });
    metrics.identityLogins.inc({ outcome: 'success' });
    metrics.identityLogins.inc({ outcome: 'hacked' });
    const heartbeats = await harness.points('divan.presence.heartbeats');
    assert.equal(valueAt(heartbeats, { campus_id: 'itu' }), 3);
    assert.equal(valueAt(heartbeats, { campus_id: 'other' }), 1);
    assert.equal(heartbeats.length, 2);
    const logins = await harness.points('divan.identity.logins');
    assert.deepEqual(logins.map((point) => [point.attributes.outcome, point.value]).sort(), [
      ['other', 1],
      ['success', 1],
    ]);
  });

  it('records prefixes and buckets, never the raw address, user id or radius', async () => {
    metrics.authFailuresByIp.inc({ ip_prefix: '10.20.30.40' });
    metrics.authFailuresByUser.inc({ user_id_prefix: 'f00dbabe-1234' });
    metrics.proximityQueries.inc({ radius: 120 });
    metrics.proximityQueryDuration.record(0.004, { radius: 120 });
    assert.deepEqual((await harness.points('divan.auth.failures.by_ip'))[0]?.attributes, { ip_prefix: '10.20.0.0/16' });
    assert.deepEqual((await harness.points('divan.auth.failures.by_user'))[0]?.attributes, { user_id_prefix: 'f0' });
    assert.deepEqual((await harness.points('divan.proximity.queries'))[0]?.attributes, { radius: '250' });
  });

  it('drops label keys the catalog does not know when JavaScript callers pass them', async () => {
    const untyped = metrics.tokensIssued as unknown as { inc(labels: object): void };
    untyped.inc({ token_type: 'access', user_email: 'someone@example.org' });
    assert.deepEqual((await harness.points('divan.tokens.issued'))[0]?.attributes, { token_type: 'access' });
  });

  it('gives histograms the catalog buckets', async () => {
    const metric = await harness.collect('divan.proximity.query.duration');
    const point = metric?.dataPoints[0]?.value as { buckets: { boundaries: number[] } } | undefined;
    assert.deepEqual(point?.buckets.boundaries, [...(domainCatalog.proximityQueryDuration.buckets ?? [])]);
  });

  it('caps an instrument at its cardinality limit and sends the rest to the overflow series', async () => {
    const limit = cardinalityLimitOf(domainCatalog.requestsByIp);
    assert.equal(limit, 1002);
    for (let i = 0; i < 1500; i++) metrics.requestsByIp.inc({ ip_prefix: `${(i >> 8) + 1}.${i & 255}.9.9` });
    const points = await harness.points('divan.requests.by_ip');
    assert.equal(points.length, limit);
    const overflow = valueAt(points, { 'otel.metric.overflow': true }) as number;
    assert.equal(overflow, 1500 - (limit - 1));
  });

  it('names the option and the expected shape when options are wrong', () => {
    assert.throws(() => createDomainMetrics(harness.meter, { namespace: 'Divan-API' }), {
      code: 'SIGHTLINE_CATALOG_NAMESPACE',
      message: /namespace: expected lower-case .* got "Divan-API"/,
    });
    assert.throws(
      () => createDomainMetrics(harness.meter, { labelValues: { campusIds: 'itu' as unknown as string[] } }),
      { code: 'SIGHTLINE_CATALOG_LABEL_VALUES', message: /labelValues\.campusIds: expected an array/ },
    );
    assert.throws(
      () =>
        createDomainMetrics(harness.meter, {
          labelValues: { socketEvents: Array.from({ length: 65 }, (_, i) => `e${i}`) },
        }),
      {
        code: 'SIGHTLINE_CATALOG_LABEL_VALUES',
        message: /labelValues\.socketEvents: expected at most 64 values, got 65/,
      },
    );
  });
});

describe('createBusinessMetrics', () => {
  it('creates the opt-in instruments only when asked, under the chosen namespace', async () => {
    const harness = metricsHarness(catalogViews({ namespace: 'shop' }));
    const business = createBusinessMetrics(harness.meter, { namespace: 'shop' });
    business.paymentsValue.add(1250, { currency: 'EUR' });
    business.cacheRequests.inc({ cache: 'profile', result: 'hit' });
    assert.deepEqual(await harness.points('shop.payments.value'), [{ attributes: { currency: 'EUR' }, value: 1250 }]);
    assert.equal(await harness.collect('divan.payments.value'), undefined);
    await harness.shutdown();
  });
});

describe('the catalog', () => {
  it('defines each instrument name once', () => {
    const names = definitions.map((definition) => definition.name);
    assert.deepEqual(
      names.filter((name, index) => names.indexOf(name) !== index),
      [],
    );
  });

  it('gives every instrument a cardinality limit view, and histograms their buckets', () => {
    const views = catalogViews();
    assert.equal(views.length, definitions.length);
    for (const view of views) assert.ok((view.aggregationCardinalityLimit ?? 0) >= 2, String(view.instrumentName));
    const histograms = definitions.filter((definition) => definition.kind === 'histogram');
    assert.equal(views.filter((view) => view.aggregation !== undefined).length, histograms.length);
  });

  it('never gives a gauge or counter unit 1, which would add a _ratio suffix', () => {
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
    const defined = new Set(definitions.map((definition) => instrumentName(definition)));
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
