import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { defineCatalog, init, type Sightline, sightlineFastify } from '../src/index.ts';
import { captureJsonLines } from './log-capture.ts';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const spans = new InMemorySpanExporter();
const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const logs = new InMemoryLogRecordExporter();
// In-memory exporters forget what they hold on shutdown; keep it for the assertions after shutdown().
for (const exporter of [spans, metrics, logs]) exporter.shutdown = async () => {};
const { lines, destination } = captureJsonLines();

let sightline: Sightline;
let base: string;
let close: () => Promise<void>;
// The flush happens in shutdown(), so the assertions on exported data run in the last test.

describe('init() with Fastify, in-memory exporters', () => {
  beforeAll(async () => {
    sightline = init({
      serviceName: 'sdk-test',
      // Nothing is named by default: service.namespace and the metric namespace are the service's.
      serviceNamespace: 'shop',
      catalogs: [defineCatalog({ namespace: 'shop', metrics: {} })],
      environment: 'test',
      commit: 'c0ffee',
      adminToken: ADMIN_TOKEN,
      metricExportIntervalMs: 60_000,
      disabledInstrumentations: ['runtime'],
      logDestination: destination,
      exporters: { spans, metrics, logs },
    });
    // Loaded after init() so the instrumentations patch it.
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    await app.register(sightlineFastify, { sightline });
    app.get('/users/:id', async (request) => {
      sightline.logger.info({ email: 'ada@example.com' }, 'loading user');
      return { id: (request.params as { id: string }).id };
    });
    sightline.ops.onRollover(() => {
      rollovers++;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    await sightline?.shutdown();
  });
  let rollovers = 0;

  it('answers with X-Request-Id and traceparent headers of the server span', async () => {
    const response = await fetch(`${base}/users/42`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.match(response.headers.get('traceparent') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('keeps a valid incoming request id and replaces an invalid one', async () => {
    const id = '3f1c0b8e-2a4d-4c6e-9f00-1234567890ab';
    const kept = await fetch(`${base}/users/1`, { headers: { 'x-request-id': id } });
    assert.equal(kept.headers.get('x-request-id'), id);
    const replaced = await fetch(`${base}/users/1`, { headers: { 'x-request-id': 'evil\tline' } });
    assert.notEqual(replaced.headers.get('x-request-id'), 'evil\tline');
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('serves liveness, readiness with no probes, and startup checks', async () => {
    const live = await fetch(`${base}/health/live`);
    assert.deepEqual([live.status, await live.json()], [200, { status: 'ok' }]);
    const ready = await fetch(`${base}/health/ready`);
    assert.deepEqual([ready.status, await ready.json()], [200, { status: 'ok', checks: {} }]);
    const startup = await fetch(`${base}/health/startup`);
    const body = (await startup.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    assert.equal(startup.status, 200);
    assert.equal(body.checks.otlp_endpoint?.ok, true);
  });

  it('guards /ops/* with the admin token: 401 missing, 403 wrong, no detail', async () => {
    const missing = await fetch(`${base}/ops/trace/test`, { method: 'POST' });
    assert.deepEqual([missing.status, await missing.json()], [401, { error: 'unauthorized' }]);
    const wrong = await fetch(`${base}/ops/rollover`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    assert.deepEqual([wrong.status, await wrong.json()], [403, { error: 'forbidden' }]);
    assert.equal(rollovers, 0);
  });

  it('runs the rollover hook with the admin token', async () => {
    const response = await fetch(`${base}/ops/rollover`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.deepEqual([response.status, await response.json()], [200, { status: 'ok' }]);
    assert.equal(rollovers, 1);
  });

  it('emits a force-sampled test span on POST /ops/trace/test', async () => {
    const response = await fetch(`${base}/ops/trace/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(response.status, 200);
    const { trace_id } = (await response.json()) as { trace_id: string };
    testTraceId = trace_id;
    assert.match(trace_id, /^[0-9a-f]{32}$/);
  });
  let testTraceId = '';

  it('labels an unmatched path with one bounded route value', async () => {
    const response = await fetch(`${base}/no/such/path/123`);
    assert.equal(response.status, 404);
  });

  it('logs an uncaught exception at fatal without changing how the process handles it', () => {
    const emit = process.emit as (event: string, ...args: unknown[]) => boolean;
    emit.call(process, 'uncaughtExceptionMonitor', new TypeError('boom for ada@example.com'), 'uncaughtException');
    const fatal = lines.find((l) => l.level === 'fatal');
    assert.equal(fatal?.msg, 'uncaught exception');
    assert.ok(!JSON.stringify(fatal).includes('ada@example.com'));
  });

  it('exports spans, metrics and log records with route templates and correlation on shutdown', async () => {
    await close();
    await sightline.shutdown();
    const server = spans.getFinishedSpans().filter((s) => s.kind === 1);
    const routes = server.map((s) => s.attributes['http.route']);
    assert.ok(routes.includes('/users/:id'), `routes: ${routes}`);
    assert.ok(routes.includes('unmatched'), `routes: ${routes}`);
    assert.ok(!routes.some((r) => String(r).includes('/no/such')), 'raw paths never become routes');
    const user = server.find((s) => s.attributes['http.route'] === '/users/:id');
    assert.ok(user);
    assert.equal(user.name, 'GET /users/:id');
    assert.equal(user.resource.attributes['service.name'], 'sdk-test');
    assert.equal(user.resource.attributes['service.namespace'], 'shop');
    assert.equal(user.resource.attributes['deployment.environment.name'], 'test');
    assert.equal(user.resource.attributes['vcs.ref.head.revision'], 'c0ffee');
    assert.ok(user.resource.attributes['service.instance.id']);

    const forced = spans.getFinishedSpans().find((s) => s.name === 'sightline.ops.trace_test');
    assert.ok(forced);
    assert.equal(forced.attributes['sightline.sampling.force'], true);
    assert.equal(forced.spanContext().traceId, testTraceId);

    const duration = metrics
      .getMetrics()
      .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
      .filter((m) => m.descriptor.name === 'http.server.request.duration')
      .at(-1);
    assert.ok(duration, 'http.server.request.duration exported');
    const points = duration.dataPoints as Array<{
      attributes: Record<string, unknown>;
      value: { buckets: { boundaries: number[] } };
    }>;
    assert.deepEqual(points[0]?.value.buckets.boundaries, [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 0.5, 1, 2.5, 5]);
    const metricRoutes = points.map((p) => p.attributes['http.route']);
    assert.ok(
      metricRoutes.includes('/users/:id') && metricRoutes.includes('unmatched'),
      `metric routes: ${metricRoutes}`,
    );
    assert.ok(
      metricRoutes.every((r) => typeof r === 'string'),
      'every data point has a route',
    );

    const unhandled = metrics
      .getMetrics()
      .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
      .find((m) => m.descriptor.name === 'shop.unhandled.exceptions');
    assert.deepEqual(
      unhandled?.dataPoints.map((p) => [p.attributes.type, p.value]),
      [['TypeError', 1]],
    );

    const requestLog = lines.find((l) => l.msg === 'request completed' && l.route === '/users/:id');
    assert.ok(requestLog, JSON.stringify(lines));
    assert.equal(requestLog.status, 200);
    assert.equal(typeof requestLog.latency_ms, 'number');
    assert.equal(requestLog.trace_id, user.spanContext().traceId);
    assert.equal(requestLog.ip, '127.0.0.0/16');
    const inner = lines.find((l) => l.msg === 'loading user');
    assert.ok(inner);
    assert.equal(inner.trace_id, user.spanContext().traceId, 'logs inside a request carry its trace id');
    assert.equal(inner.request_id, requestLog.request_id, 'and its request id');
    assert.equal(inner.email, '[redacted]');

    const records = logs.getFinishedLogRecords();
    const otlpInner = records.find((r) => r.body === 'loading user');
    assert.ok(otlpInner, 'log line also exported as an OTLP log record');
    assert.equal(otlpInner.spanContext?.traceId, user.spanContext().traceId);
    assert.equal(otlpInner.severityText, 'INFO');
    assert.ok(!JSON.stringify(otlpInner.attributes).includes('ada@example.com'));
  });
});
