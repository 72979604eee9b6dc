import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, type HistogramMetricData, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { resolveConfig } from '../src/config.ts';
import { HttpCore } from '../src/http/core.ts';
import { PrefixRateLimiter, WebIngest } from '../src/http/ingest.ts';
import { init, type Sightline, sightlineExpress, sightlineFastify } from '../src/index.ts';
import { captureJsonLines } from './log-capture.ts';

const spans = new InMemorySpanExporter();
const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const logs = new InMemoryLogRecordExporter();
for (const exporter of [spans, metrics, logs]) exporter.shutdown = async () => {};
const { destination } = captureJsonLines();

/** What @sightline/web sends for one page: two vitals and one span, as OTLP/JSON. */
function beacon(route = '/app', rating = 'good') {
  const kv = (key: string, stringValue: string) => ({ key, value: { stringValue } });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [kv('service.name', 'divan-web')] },
        scopeMetrics: [
          {
            scope: { name: '@sightline/web', version: '0.1.0' },
            metrics: [
              {
                name: 'browser.web_vital.lcp',
                unit: 's',
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: [
                    {
                      attributes: [kv('route', route), kv('rating', rating)],
                      timeUnixNano: '1700000000000000000',
                      count: '1',
                      sum: 1.25,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'divan-web')] },
        scopeSpans: [
          {
            scope: { name: '@sightline/web' },
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                name: 'documentLoad',
                kind: 1,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000500000000',
                attributes: [kv('page.route', route)],
              },
            ],
          },
        ],
      },
    ],
  };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /ops/ingest (webIngestEnabled)', () => {
  let sightline: Sightline;
  let fastifyBase: string;
  let expressBase: string;
  let closeAll: () => Promise<void>;

  beforeAll(async () => {
    sightline = init({
      serviceName: 'ingest-test',
      environment: 'test',
      webIngestEnabled: true,
      otlpEndpoint: 'http://127.0.0.1:9',
      metricExportIntervalMs: 60_000,
      disabledInstrumentations: ['runtime'],
      logDestination: destination,
      exporters: { spans, metrics, logs },
    });
    const { default: Fastify } = await import('fastify');
    const { default: express } = await import('express');
    const app = Fastify();
    await app.register(sightlineFastify, { sightline });
    await app.listen({ port: 0, host: '127.0.0.1' });
    fastifyBase = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const expressApp = express();
    expressApp.use(sightlineExpress(sightline));
    const server: Server = await new Promise((resolve) => {
      const s = expressApp.listen(0, '127.0.0.1', () => resolve(s));
    });
    expressBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeAll = async () => {
      await app.close();
      await new Promise((resolve) => server.close(resolve));
    };
  });
  afterAll(async () => {
    await closeAll?.();
    await sightline?.shutdown();
  });

  for (const framework of ['fastify', 'express'] as const) {
    const base = () => (framework === 'fastify' ? fastifyBase : expressBase);

    it(`${framework}: accepts a beacon (JSON or text/plain) with 202 and the counts`, async () => {
      const response = await post(`${base()}/ops/ingest`, beacon('/app', 'good'));
      assert.equal(response.status, 202);
      assert.deepEqual(await response.json(), { accepted: { points: 1, spans: 1 } });
      const text = await post(`${base()}/ops/ingest`, JSON.stringify(beacon('/app/rooms/:id', 'poor')), {
        'content-type': 'text/plain;charset=UTF-8',
      });
      assert.equal(text.status, 202, await text.clone().text());
    });

    it(`${framework}: malformed, off-shape and oversized beacons get a 4xx naming the problem`, async () => {
      const broken = await post(`${base()}/ops/ingest`, '{"resourceMetrics": [', {});
      assert.equal(broken.status, 400);
      const wrongName = beacon();
      const metric = wrongName.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0];
      assert.ok(metric);
      (metric as { name: string }).name = 'user.email';
      const named = await post(`${base()}/ops/ingest`, wrongName);
      assert.equal(named.status, 400);
      assert.match((await named.json()).message, /resourceMetrics\.0\.scopeMetrics\.0\.metrics\.0\.name/);
      const extra = await post(`${base()}/ops/ingest`, { ...beacon(), cookies: 'a=b' });
      assert.equal(extra.status, 400);
      assert.match((await extra.json()).message, /cookies/);
      const url = beacon();
      const span = url.resourceSpans[0]?.scopeSpans[0]?.spans[0];
      assert.ok(span);
      (span.attributes as unknown[]).push({
        key: 'url.full',
        value: { stringValue: 'https://x/?email=a@b.c' },
      });
      assert.equal((await post(`${base()}/ops/ingest`, url)).status, 400);
      assert.equal((await post(`${base()}/ops/ingest`, {})).status, 400);
      const huge = await post(`${base()}/ops/ingest`, { resourceMetrics: [], pad: 'x'.repeat(70 * 1024) });
      assert.equal(huge.status, 413);
    });
  }

  it('rate-limits per address prefix with a token bucket, and its key map stays bounded', () => {
    let now = 0;
    const limiter = new PrefixRateLimiter(3, 1, 2, () => now);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limiter.take('10.0.0.0/16')),
      [true, true, true, false],
    );
    now = 1000;
    assert.equal(limiter.take('10.0.0.0/16'), true);
    assert.equal(limiter.take('10.0.0.0/16'), false);
    limiter.take('b');
    limiter.take('c'); // evicts the oldest key, which then starts with a full bucket again
    assert.equal(limiter.take('10.0.0.0/16'), true);
  });

  it('answers 429 once a client prefix spent its burst', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await post(`${fastifyBase}/ops/ingest`, beacon())).status);
    assert.ok(statuses.includes(429), `statuses: ${statuses}`);
    assert.ok(statuses.every((s) => s < 500));
  });

  it('records the vitals as cumulative histograms labelled route and rating', async () => {
    await sightline.shutdown();
    const points = metrics
      .getMetrics()
      .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
      .filter((m): m is HistogramMetricData => m.descriptor.name === 'browser.web_vital.lcp')
      .flatMap((m) => m.dataPoints);
    const labels = points.map((p) => `${p.attributes.route}|${p.attributes.rating}`).sort();
    assert.ok(labels.includes('/app|good') && labels.includes('/app/rooms/:id|poor'), `labels: ${labels}`);
    const good = points.find((p) => p.attributes.route === '/app');
    assert.ok(good && good.value.count >= 2 && (good.value.sum ?? 0) >= 2.5);
    assert.deepEqual(good?.value.buckets.boundaries.slice(0, 5), [0.25, 0.5, 1, 1.8, 2.5]);
  });
});

describe('WebIngest span forwarding', () => {
  it('re-emits page spans with their own trace, span and parent ids, times and the page resource', async () => {
    const exporter = new InMemorySpanExporter();
    exporter.shutdown = async () => {}; // keep the spans past the processor's shutdown
    const config = resolveConfig({ environment: 'test' }, {}).config;
    const { metrics: api } = await import('@opentelemetry/api');
    const ingest = new WebIngest(config, api.getMeter('test'), { spanExporter: exporter });
    const body = beacon();
    const span = body.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    assert.ok(span);
    body.resourceSpans[0]?.scopeSpans[0]?.spans.push({
      ...span,
      spanId: 'c7ad6b7169203332',
      parentSpanId: 'b7ad6b7169203331',
      name: 'HTTP GET',
      kind: 3,
      startTimeUnixNano: '1700000000100000000',
      endTimeUnixNano: '1700000000350000000',
      attributes: [{ key: 'http.response.status_code', value: { intValue: '502' } } as never],
      status: { code: 2 },
    } as never);
    assert.deepEqual(ingest.handle(body, 'k').body, { accepted: { points: 1, spans: 2 } });
    await ingest.shutdown();
    const [load, get] = exporter.getFinishedSpans();
    assert.equal(load?.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(load?.parentSpanContext, undefined);
    assert.equal(get?.spanContext().spanId, 'c7ad6b7169203332');
    assert.equal(get?.parentSpanContext?.spanId, 'b7ad6b7169203331');
    assert.equal(get?.kind, 2 /* CLIENT */);
    assert.deepEqual(get?.startTime, [1_700_000_000, 100_000_000]);
    assert.deepEqual(get?.duration, [0, 250_000_000]);
    assert.equal(get?.attributes['http.response.status_code'], 502);
    assert.equal(get?.status.code, 2);
    assert.equal(get?.resource.attributes['service.name'], 'divan-web');
  });
});

describe('web ingest switch', () => {
  it('is off by default, also outside production, and reads OBS_WEB_INGEST_ENABLED', () => {
    assert.equal(resolveConfig({}, {}).config.webIngestEnabled, false);
    assert.equal(resolveConfig({}, { NODE_ENV: 'development' }).config.webIngestEnabled, false);
    assert.equal(resolveConfig({}, { OBS_WEB_INGEST_ENABLED: 'true' }).config.webIngestEnabled, true);
    assert.equal(
      resolveConfig({}, { OBS_WEB_INGEST_ENABLED: 'true', NODE_ENV: 'production' }).config.webIngestEnabled,
      true,
    );
    assert.throws(() => resolveConfig({}, { OBS_WEB_INGEST_ENABLED: 'maybe' }), /WEB_INGEST_ENABLED/);
  });

  it('answers 404 when off', () => {
    const config = resolveConfig({ environment: 'test' }, {}).config;
    const core = new HttpCore({ enabled: true, config } as unknown as Sightline);
    assert.equal(core.ingest, undefined);
    assert.equal(core.ingestBeacon(beacon(), '127.0.0.1').status, 404);
  });
});
