import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { init, type Sightline, sightlineExpress } from '../src/index.ts';
import { captureJsonLines } from './log-capture.ts';

const spans = new InMemorySpanExporter();
const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
for (const exporter of [spans, metrics]) exporter.shutdown = async () => {};
const { lines, destination } = captureJsonLines();

let sightline: Sightline;
let server: Server;
let base: string;

describe('init() with Express, in-memory exporters', () => {
  beforeAll(async () => {
    sightline = init({
      serviceName: 'express-test',
      metricsPublic: true,
      logsEnabled: false,
      metricExportIntervalMs: 60_000,
      disabledInstrumentations: ['runtime'],
      logDestination: destination,
      exporters: { spans, metrics },
    });
    const { default: express } = await import('express');
    const app = express();
    app.use(sightlineExpress(sightline));
    const router = express.Router();
    router.get('/items/:itemId', (request, response) => {
      response.json({ id: request.params.itemId });
    });
    app.use('/api', router);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await sightline?.shutdown();
  });

  it('sets X-Request-Id and traceparent and logs the mounted route template', async () => {
    const response = await fetch(`${base}/api/items/77`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: '77' });
    assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.match(response.headers.get('traceparent') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const log = lines.find((l) => l.msg === 'request completed' && l.status === 200);
    assert.equal(log?.route, '/api/items/:itemId');
  });

  it('serves /health/* and, in public dev mode, /ops/* without a token', async () => {
    const live = await fetch(`${base}/health/live`);
    assert.deepEqual([live.status, await live.json()], [200, { status: 'ok' }]);
    const ops = await fetch(`${base}/ops/rollover`, { method: 'POST' });
    assert.deepEqual([ops.status, await ops.json()], [501, { error: 'no_rollover_hook' }]);
  });

  it('labels unmatched paths "unmatched" on spans and the duration metric', async () => {
    assert.equal((await fetch(`${base}/nothing/here`)).status, 404);
    server.close();
    await sightline.shutdown();
    const routes = spans
      .getFinishedSpans()
      .filter((s) => s.kind === 1)
      .map((s) => s.attributes['http.route']);
    assert.ok(routes.includes('/api/items/:itemId'), `routes: ${routes}`);
    assert.ok(routes.includes('unmatched'), `routes: ${routes}`);
    assert.ok(routes.includes('/health/live'), `routes: ${routes}`);
    const points = metrics
      .getMetrics()
      .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
      .filter((m) => m.descriptor.name === 'http.server.request.duration')
      .flatMap((m) => m.dataPoints.map((p) => p.attributes['http.route']));
    assert.ok(points.includes('unmatched') && points.includes('/api/items/:itemId'), `metric routes: ${points}`);
    assert.ok(!points.some((r) => String(r).includes('nothing')));
  });
});
