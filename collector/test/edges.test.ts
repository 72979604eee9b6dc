// Two edge cases on the real collector with the production config, for services without the SDK
// (raw OTLP): health-check traces go whole, failing children included, and unknown HTTP methods
// become `_OTHER` in span names, attributes and span metrics.
import {
  type Collector,
  freePort,
  jsonAttribute,
  type Prometheus,
  postOtlpJson,
  randomHexId,
  type Sink,
  SpanKind,
  StatusCode,
  startCollector,
  startPrometheus,
  startSink,
  tracesRequest,
  waitFor,
} from '@sightline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Another collector config to run against (how the before numbers were measured). @default collector/otelcol.yaml */
const CONFIG = process.env.SIGHTLINE_COLLECTOR_CONFIG;

const resource = { 'service.name': 'no-sdk', 'deployment.environment.name': 'test' };

let sink: Sink;
let prometheus: Prometheus;
let collector: Collector;

beforeAll(async () => {
  sink = await startSink({ name: 'sink-edges' });
  prometheus = await startPrometheus({ name: 'prometheus-edges' });
  collector = await startCollector({
    ...(CONFIG && { config: CONFIG }),
    name: 'collector-edges',
    env: {
      SIGHTLINE_TEMPO_ENDPOINT: sink.otlpGrpcEndpoint,
      SIGHTLINE_LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: prometheus.remoteWriteUrl,
      SIGHTLINE_SAMPLING_DECISION_WAIT: '2s',
      SIGHTLINE_SPANMETRICS_FLUSH_INTERVAL: '1s',
      SIGHTLINE_BATCH_TIMEOUT: '200ms',
    },
  });
}, 120_000);

afterAll(async () => {
  await collector?.stop();
  await prometheus?.stop();
  await sink?.stop();
});

const dump = () => `${collector.logs()}\n${sink.logs()}`;

describe('health-check filtering', () => {
  it('drops a health check with its failing child spans, and keeps an ordinary failing trace', async () => {
    const now = Date.now();
    const health = { traceId: randomHexId(16), rootId: randomHexId(8), childId: randomHexId(8) };
    const ordinary = { traceId: randomHexId(16), rootId: randomHexId(8), childId: randomHexId(8) };
    // Children first (a failing Redis ping of readiness, a failing query), roots in a later export.
    await postOtlpJson(
      collector.otlpHttpUrl,
      'traces',
      tracesRequest(resource, [
        {
          traceId: health.traceId,
          spanId: health.childId,
          parentSpanId: health.rootId,
          name: 'PING',
          kind: SpanKind.CLIENT,
          startMs: now - 30,
          endMs: now - 20,
          status: { code: StatusCode.ERROR, message: 'connection refused' },
          attributes: { 'db.system.name': 'redis' },
        },
        {
          traceId: ordinary.traceId,
          spanId: ordinary.childId,
          parentSpanId: ordinary.rootId,
          name: 'SELECT divan',
          kind: SpanKind.CLIENT,
          startMs: now - 30,
          endMs: now - 20,
          status: { code: StatusCode.ERROR, message: 'deadlock detected' },
          attributes: { 'db.system.name': 'postgresql' },
        },
      ]),
    );
    await postOtlpJson(
      collector.otlpHttpUrl,
      'traces',
      tracesRequest(resource, [
        {
          traceId: health.traceId,
          spanId: health.rootId,
          name: 'GET /health/ready',
          kind: SpanKind.SERVER,
          startMs: now - 40,
          endMs: now,
          status: { code: StatusCode.ERROR },
          attributes: { 'http.route': '/health/ready', 'http.request.method': 'GET', 'http.response.status_code': 503 },
        },
        {
          traceId: ordinary.traceId,
          spanId: ordinary.rootId,
          name: 'POST /rooms',
          kind: SpanKind.SERVER,
          startMs: now - 40,
          endMs: now,
          status: { code: StatusCode.ERROR },
          attributes: { 'http.route': '/rooms', 'http.request.method': 'POST', 'http.response.status_code': 500 },
        },
      ]),
    );
    await waitFor(
      () =>
        new Set(
          sink
            .spans()
            .filter((s) => s.traceId === ordinary.traceId)
            .map((s) => s.spanId),
        ).size === 2,
      {
        what: 'the ordinary failing trace, root and child',
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${dump()}`);
    });
    // The health trace was decided in the same tick as the ordinary one: nothing of it arrived.
    expect(sink.spans().filter((s) => s.traceId === health.traceId)).toEqual([]);
  }, 60_000);
});

describe('unknown HTTP methods', () => {
  it('become _OTHER in span names, attributes and span metrics', async () => {
    const now = Date.now();
    const spans = [
      { method: 'PURGE', key: 'http.request.method', name: 'PURGE unmatched', route: 'unmatched' },
      { method: 'FOO', key: 'http.method', name: 'FOO /legacy', route: '/legacy' },
      { method: 'GET', key: 'http.request.method', name: 'GET /known', route: '/known' },
    ].map((s) => ({ ...s, traceId: randomHexId(16), spanId: randomHexId(8) }));
    await postOtlpJson(
      collector.otlpHttpUrl,
      'traces',
      tracesRequest(
        resource,
        spans.map((s) => ({
          traceId: s.traceId,
          spanId: s.spanId,
          name: s.name,
          kind: SpanKind.SERVER,
          startMs: now - 10,
          endMs: now,
          attributes: { [s.key]: s.method, 'http.route': s.route, 'sightline.sampling.force': true },
        })),
      ),
    );
    const byId = () => new Map(sink.spans().map((s) => [s.spanId, s]));
    await waitFor(() => spans.every((s) => byId().has(s.spanId)), {
      what: 'the three spans at the sink',
      timeoutMs: 30_000,
      intervalMs: 250,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${dump()}`);
    });
    const [purge, foo, get] = spans.map((s) => byId().get(s.spanId));
    expect(purge?.name).toBe('_OTHER unmatched');
    expect(jsonAttribute(purge?.attributes, 'http.request.method')).toBe('_OTHER');
    expect(jsonAttribute(purge?.attributes, 'http.request.method_original')).toBe('PURGE');
    expect(foo?.name).toBe('_OTHER /legacy');
    expect(jsonAttribute(foo?.attributes, 'http.method')).toBe('_OTHER');
    expect(get?.name).toBe('GET /known');
    expect(jsonAttribute(get?.attributes, 'http.request.method')).toBe('GET');

    // Span metrics: the dimension http.request.method and span_name (the old-style http.method span
    // has no http.request.method, so it carries no method label).
    await waitFor(
      async () =>
        (await prometheus.queryScalar(
          'traces_span_metrics_calls_total{service_name="no-sdk", span_name="_OTHER unmatched", http_request_method="_OTHER"}',
        )) >= 1,
      { what: '_OTHER in span metrics', timeoutMs: 30_000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${collector.logs()}`);
    });
    const methods = await prometheus.query(
      'count by (http_request_method) (traces_span_metrics_calls_total{service_name="no-sdk", http_route=~"unmatched|/legacy|/known"})',
    );
    expect(methods.map((m) => m.metric.http_request_method ?? '').sort()).toEqual(['', 'GET', '_OTHER']);
    const names = await prometheus.labelValues('span_name');
    expect(names.filter((n) => /^(PURGE|FOO) /.test(n))).toEqual([]);
    expect(names).toContain('_OTHER /legacy');
  }, 60_000);
});
