import assert from 'node:assert/strict';
import { afterAll, describe, it } from 'vitest';
import { SDK_METRICS, sdkCatalog } from '../src/catalog/builtin.ts';
import { createDomainMetrics, defineCatalog, resolveCatalogs } from '../src/catalog/index.ts';
import { ipPrefix, radiusBucket, userIdPrefix } from '../src/catalog/labels.ts';
import { catalogViews } from '../src/catalog/views.ts';
import { init } from '../src/init.ts';
import { metricsHarness, shopCatalog, sightlineOn, valueAt, viewsFor } from './catalog-helpers.ts';

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
  const harness = metricsHarness(viewsFor());
  afterAll(() => harness.shutdown());
  const sightline = sightlineOn(harness.meter);
  const metrics = createDomainMetrics(sightline, shopCatalog, { labelValues: { regions: ['eu', 'us'] } });

  it('records configured and enum values by name and folds everything else into other', async () => {
    metrics.ordersPlaced.inc({ region: 'eu' });
    metrics.ordersPlaced.add(2, { region: 'eu' });
    metrics.ordersPlaced.inc({ region: 'mars' });
    metrics.logins.inc({ outcome: 'success' });
    metrics.logins.inc({ outcome: 'hacked' });
    const orders = await harness.points('shop.orders.placed');
    assert.equal(valueAt(orders, { region: 'eu' }), 3);
    assert.equal(valueAt(orders, { region: 'other' }), 1);
    assert.equal(orders.length, 2);
    const logins = await harness.points('shop.logins');
    assert.deepEqual(logins.map((point) => [point.attributes.outcome, point.value]).sort(), [
      ['other', 1],
      ['success', 1],
    ]);
  });

  it('records prefixes and buckets, never the raw address, user id or radius', async () => {
    metrics.failuresByIp.inc({ ip_prefix: '10.20.30.40' });
    metrics.failuresByUser.inc({ user_id_prefix: 'f00dbabe-1234' });
    metrics.searches.inc({ radius: 120 });
    metrics.searchDuration.record(0.004, { radius: 120 });
    assert.deepEqual((await harness.points('shop.failures.by_ip'))[0]?.attributes, { ip_prefix: '10.20.0.0/16' });
    assert.deepEqual((await harness.points('shop.failures.by_user'))[0]?.attributes, { user_id_prefix: 'f0' });
    assert.deepEqual((await harness.points('shop.searches'))[0]?.attributes, { radius: '250' });
  });

  it('drops label keys the catalog does not know when JavaScript callers pass them', async () => {
    const untyped = metrics.tokensIssued as unknown as { inc(labels: object): void };
    untyped.inc({ token_type: 'access', user_email: 'someone@example.org' });
    assert.deepEqual((await harness.points('shop.tokens.issued'))[0]?.attributes, { token_type: 'access' });
  });

  it('gives histograms the catalog buckets', async () => {
    const metric = await harness.collect('shop.search.duration');
    const point = metric?.dataPoints[0]?.value as { buckets: { boundaries: number[] } } | undefined;
    assert.deepEqual(point?.buckets.boundaries, [...(shopCatalog.metrics.searchDuration.buckets ?? [])]);
  });

  it('caps an instrument at its cardinality limit and sends the rest to the overflow series', async () => {
    const limit = shopCatalog.instruments.visitsByIp.cardinalityLimit;
    assert.equal(limit, 1002);
    for (let i = 0; i < 1500; i++) metrics.visitsByIp.inc({ ip_prefix: `${(i >> 8) + 1}.${i & 255}.9.9` });
    const points = await harness.points('shop.visits.by_ip');
    assert.equal(points.length, limit);
    const overflow = valueAt(points, { 'otel.metric.overflow': true }) as number;
    assert.equal(overflow, 1500 - (limit - 1));
  });

  it('records updown counters and gauges, and gives observable gauges no recorder', async () => {
    metrics.cartsOpen.inc();
    metrics.cartsOpen.inc();
    metrics.cartsOpen.dec();
    metrics.queueDepth.record(7, { queue: 'emails' });
    assert.equal(valueAt(await harness.points('shop.carts.open'), {}), 1);
    assert.equal(valueAt(await harness.points('shop.queue.depth'), { queue: 'emails' }), 7);
    assert.equal('warehouseLoad' in metrics, false);
  });

  it('names the label set and the expected shape when label values are wrong', () => {
    assert.throws(
      () => createDomainMetrics(sightline, shopCatalog, { labelValues: { regions: 'eu' as unknown as string[] } }),
      { code: 'SIGHTLINE_CATALOG_LABEL_VALUES', message: /labelValues\.regions: expected an array/ },
    );
    assert.throws(
      () =>
        createDomainMetrics(sightline, sightline.catalogs[0], {
          labelValues: { socketEvents: Array.from({ length: 65 }, (_, i) => `e${i}`) },
        }),
      {
        code: 'SIGHTLINE_CATALOG_LABEL_VALUES',
        message: /labelValues\.socketEvents: expected at most 64 values, got 65/,
      },
    );
    assert.throws(
      () => createDomainMetrics(sightline, shopCatalog, { labelValues: { campusIds: ['itu'] } as object }),
      {
        code: 'SIGHTLINE_CATALOG_LABEL_VALUES',
        message: /labelValues\.campusIds: unknown label set, expected one of regions/,
      },
    );
  });

  it('refuses a catalog init() was not given, whose views would not apply', () => {
    const other = defineCatalog({ namespace: 'shop', metrics: {} });
    assert.throws(() => createDomainMetrics(sightline, other), {
      code: 'SIGHTLINE_CATALOG_NOT_REGISTERED',
      message: /catalog "shop" was not given to init\(\{ catalogs \}\)/,
    });
    const lookalike = { ...shopCatalog };
    assert.throws(() => createDomainMetrics(sightline, lookalike), {
      code: 'SIGHTLINE_CATALOG_NOT_REGISTERED',
      message: /expected the result of defineCatalog\(\)/,
    });
  });

  it('creates instruments only for the catalog it is given, under that catalog’s namespace', async () => {
    const billing = defineCatalog({
      namespace: 'shop',
      metrics: {
        invoices: { name: 'invoices', kind: 'counter', unit: '{invoice}', description: 'Invoices sent', labels: {} },
      },
    });
    const local = metricsHarness(viewsFor([shopCatalog, billing]));
    const both = sightlineOn(local.meter, [shopCatalog, billing]);
    createDomainMetrics(both, shopCatalog).cartsOpen.inc();
    assert.equal(await local.collect('shop.invoices'), undefined);
    createDomainMetrics(both, billing).invoices.add(3);
    assert.deepEqual(await local.points('shop.invoices'), [{ attributes: {}, value: 3 }]);
    await local.shutdown();
  });
});

describe('defineCatalog', () => {
  const metric = { name: 'a.b', kind: 'counter', unit: '{x}', description: 'A', labels: {} } as const;

  it('derives each instrument name and cardinality limit from the namespace and the labels', () => {
    assert.deepEqual(shopCatalog.instruments.ordersPlaced, { name: 'shop.orders.placed', cardinalityLimit: 10 });
    assert.deepEqual(shopCatalog.instruments.searches, { name: 'shop.searches', cardinalityLimit: 7 });
    assert.deepEqual(shopCatalog.instruments.failuresByUser, { name: 'shop.failures.by_user', cardinalityLimit: 258 });
    assert.deepEqual(shopCatalog.instruments.cartsOpen, { name: 'shop.carts.open', cardinalityLimit: 2 });
    assert.ok(Object.isFrozen(shopCatalog) && Object.isFrozen(shopCatalog.instruments));
  });

  it('names the bad key of a bad catalog', () => {
    assert.throws(() => defineCatalog({ namespace: 'Shop-API', metrics: {} }), {
      code: 'SIGHTLINE_CATALOG_NAMESPACE',
      message: /namespace: expected lower-case .* got "Shop-API"/,
    });
    const cases: Array<[unknown, RegExp]> = [
      [{ x: { ...metric, name: 'Bad Name' } }, /metrics\.x\.name: expected dot-separated lower-case words/],
      [{ x: { ...metric, kind: 'summary' } }, /metrics\.x\.kind: expected one of counter/],
      [
        { x: { ...metric, labels: { region: { kind: 'configured', set: 'regions' } } } },
        /metrics\.x\.labels\.region\.set: "regions" is not one of the catalog's labelSets/,
      ],
      [{ x: { ...metric, buckets: [1, 2] } }, /metrics\.x\.buckets: expected ascending numbers, on a histogram only/],
      [{ x: { ...metric, kind: 'histogram', buckets: [2, 1] } }, /metrics\.x\.buckets: expected ascending numbers/],
      [{ x: metric, y: metric }, /metrics\.y\.name: shop\.a\.b is also metrics\.x/],
    ];
    for (const [metrics, message] of cases) {
      assert.throws(() => defineCatalog({ namespace: 'shop', metrics: metrics as never }), {
        code: 'SIGHTLINE_CATALOG_DEFINITION',
        message,
      });
    }
    assert.throws(() => defineCatalog({ namespace: 'shop', labelSets: { regions: { max: 0 } }, metrics: {} }), {
      code: 'SIGHTLINE_CATALOG_DEFINITION',
      message: /labelSets\.regions\.max: expected a positive integer, got 0/,
    });
  });
});

describe('init({ catalogs })', () => {
  it('takes the metric namespace from the catalogs, the SDK’s metrics included, and is neutral without one', () => {
    const silent = { write: () => {} };
    const shop = init({ enabled: false, catalogs: [shopCatalog], logDestination: silent });
    assert.equal(shop.metricNamespace, 'shop');
    assert.equal(shop.catalogs[0].instruments.jobsRuns.name, 'shop.jobs.runs');
    assert.equal(shop.catalogs[1], shopCatalog);
    const plain = init({ enabled: false, logDestination: silent });
    assert.equal(plain.metricNamespace, 'app');
    assert.deepEqual(
      plain.catalogs.map((catalog) => catalog.namespace),
      ['app'],
    );
  });

  it('refuses catalogs that would disagree: two namespaces, one instrument twice, a hand-made catalog', () => {
    const other = defineCatalog({ namespace: 'billing', metrics: {} });
    assert.throws(() => resolveCatalogs([shopCatalog, other]), {
      code: 'SIGHTLINE_CATALOG_CONFLICT',
      message: /catalogs\[1\]: namespace "billing" differs from "shop"/,
    });
    const clash = defineCatalog({
      namespace: 'shop',
      metrics: { runs: { name: 'jobs.runs', kind: 'counter', unit: '{run}', description: 'Runs', labels: {} } },
    });
    assert.throws(() => init({ enabled: false, catalogs: [clash] }), {
      code: 'SIGHTLINE_CATALOG_CONFLICT',
      message: /catalogs\[0\]\.metrics\.runs: shop\.jobs\.runs is already defined by the SDK/,
    });
    assert.throws(() => resolveCatalogs([{ ...shopCatalog }]), {
      code: 'SIGHTLINE_CATALOG_NOT_REGISTERED',
      message: /catalogs\[0\]: expected the result of defineCatalog\(\)/,
    });
  });

  it('gives every instrument a cardinality limit view, and histograms their buckets', () => {
    const { catalogs } = resolveCatalogs([shopCatalog]);
    const definitions = catalogs.flatMap((catalog) => Object.values(catalog.metrics));
    const views = catalogViews(catalogs);
    assert.equal(views.length, definitions.length);
    for (const view of views) assert.ok((view.aggregationCardinalityLimit ?? 0) >= 2, String(view.instrumentName));
    const histograms = definitions.filter((definition) => definition.kind === 'histogram');
    assert.equal(views.filter((view) => view.aggregation !== undefined).length, histograms.length);
    assert.deepEqual(
      views.map((view) => view.instrumentName).filter((name) => String(name).startsWith('shop.jobs')),
      ['shop.jobs.runs', 'shop.jobs.duration'],
    );
  });
});

describe('the SDK’s own metrics', () => {
  it('never give a gauge or counter unit 1, which would add a _ratio suffix', () => {
    assert.deepEqual(
      Object.values(SDK_METRICS)
        .filter((definition) => (definition.unit as string) === '1')
        .map((definition) => definition.name),
      [],
    );
  });

  it('are defined once, under the service namespace', () => {
    assert.deepEqual(
      Object.values(sdkCatalog('shop').instruments)
        .map((instrument) => instrument.name)
        .sort(),
      [
        'shop.jobs.duration',
        'shop.jobs.runs',
        'shop.socketio.clients',
        'shop.socketio.events',
        'shop.socketio.room.size',
        'shop.unhandled.exceptions',
      ],
    );
  });
});
