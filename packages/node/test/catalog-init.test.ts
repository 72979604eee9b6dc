// The running instance keeps the catalogs it started with: a later init() with another catalog
// cannot add views to the MeterProvider, so it says so on stderr and createDomainMetrics refuses it.
import assert from 'node:assert/strict';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, it, vi } from 'vitest';
import { createDomainMetrics, defineCatalog, init } from '../src/index.ts';
import { shopCatalog } from './catalog-helpers.ts';

describe('init({ catalogs }) on a running instance', () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const sightline = init({
    serviceName: 'catalog-init-test',
    catalogs: [shopCatalog],
    logsEnabled: false,
    logDestination: { write: () => {} },
    exporters: { metrics: exporter, spans: new InMemorySpanExporter() },
  });
  afterAll(() => sightline.shutdown());

  it('returns the running instance, warns about a late catalog, and createDomainMetrics refuses it', () => {
    assert.equal(sightline.enabled, true);
    const late = defineCatalog({ namespace: 'shop', metrics: {} });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      assert.equal(init({ catalogs: [shopCatalog] }), sightline);
      assert.equal(stderr.mock.calls.length, 0, 'the same catalogs: nothing to say');
      assert.equal(init({ catalogs: [late] }), sightline);
      assert.match(
        String(stderr.mock.calls[0]?.[0]),
        /^\[sightline\] SIGHTLINE_CATALOG_NOT_REGISTERED: init\(\) already ran without the catalog\(s\) "shop"/,
      );
    } finally {
      stderr.mockRestore();
    }
    assert.throws(() => createDomainMetrics(sightline, late), { code: 'SIGHTLINE_CATALOG_NOT_REGISTERED' });
  });

  it('exports the catalog’s and the SDK’s metrics under the catalog’s namespace, with the views applied', async () => {
    const metrics = createDomainMetrics(sightline, shopCatalog);
    for (let i = 0; i < 20; i++) metrics.queueDepth.record(i, { queue: `q${i}` });
    createDomainMetrics(sightline, sightline.catalogs[0]).unhandledExceptions.inc({ type: 'TypeError' });
    await sightline.shutdown();
    const exported = exporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((scope) => scope.metrics);
    const depth = exported?.find((metric) => metric.descriptor.name === 'shop.queue.depth');
    // identifier, maxValues 4: 5 values with `other`, plus the overflow series.
    assert.equal(shopCatalog.instruments.queueDepth.cardinalityLimit, 6);
    assert.equal(depth?.dataPoints.length, 6);
    assert.ok(depth?.dataPoints.some((point) => point.attributes['otel.metric.overflow'] === true));
    const unhandled = exported?.find((metric) => metric.descriptor.name === 'shop.unhandled.exceptions');
    assert.deepEqual(unhandled?.dataPoints[0]?.attributes, { type: 'TypeError' });
  });
});
