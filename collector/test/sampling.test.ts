import assert from 'node:assert/strict';
import {
  type Attributes,
  logsRequest,
  type Pipeline,
  postOtlpJson,
  randomHexId,
  type SpanInput,
  SpanKind,
  StatusCode,
  seededRandom,
  startPipeline,
  tracesRequest,
  waitFor,
} from '@sightline/harness';
import { afterAll, beforeAll, describe, it } from 'vitest';

/** The share of "the rest" the test configures, and how far the kept share may stray from it. */
const SAMPLING_PERCENTAGE = 20;
/** ±3 percentage points: about 3.4 standard deviations for 2000 traces at 20 %. */
const TOLERANCE_POINTS = 3;

/** The browser origin the test allows through CORS. */
const BROWSER_ORIGIN = 'https://app.divan.example';

type TraceKind = 'error' | 'slow' | 'forced' | 'rest' | 'health';
const counts: Record<TraceKind, number> = { error: 250, slow: 250, forced: 100, rest: 2000, health: 200 };

interface GeneratedTrace {
  kind: TraceKind;
  traceId: string;
  spans: SpanInput[];
}

const resource: Attributes = {
  'service.name': 'sampling-probe',
  'service.namespace': 'sightline-test',
  'deployment.environment.name': 'test',
  'service.instance.id': 'sampling-probe-1',
};

/** A root SERVER span with a DB child and an internal child; health traces are a lone root. */
function generate(kind: TraceKind, random: () => number, baseMs: number): GeneratedTrace {
  const traceId = randomHexId(16, random);
  const rootId = randomHexId(8, random);
  const durationMs = kind === 'slow' ? 600 + Math.floor(random() * 400) : 20 + Math.floor(random() * 150);
  const route = kind === 'health' ? (random() < 0.5 ? '/health/live' : '/health/ready') : '/api/rooms/:roomId/messages';
  const root: SpanInput = {
    traceId,
    spanId: rootId,
    name: kind === 'health' ? `GET ${route}` : 'POST /api/rooms/:roomId/messages',
    kind: SpanKind.SERVER,
    startMs: baseMs,
    endMs: baseMs + durationMs,
    attributes: {
      'http.route': route,
      'http.request.method': kind === 'health' ? 'GET' : 'POST',
      'http.response.status_code': kind === 'error' ? 500 : 200,
      ...(kind === 'forced' ? { 'sightline.sampling.force': true } : {}),
    },
    status: kind === 'error' ? { code: StatusCode.ERROR, message: 'insert failed' } : { code: StatusCode.UNSET },
  };
  if (kind === 'health') {
    // Half the probes carry only the older url.path form, with a bare method as the span name.
    if (random() < 0.5) {
      root.name = 'GET';
      root.attributes = { 'url.path': route, 'http.request.method': 'GET', 'http.response.status_code': 200 };
    }
    return { kind, traceId, spans: [root] };
  }
  const db: SpanInput = {
    traceId,
    spanId: randomHexId(8, random),
    parentSpanId: rootId,
    name: 'INSERT messages',
    kind: SpanKind.CLIENT,
    startMs: baseMs + 5,
    endMs: baseMs + 15,
    attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'INSERT INTO messages VALUES ($1, $2)' },
    // The error sits on a child: tail sampling must look at the whole trace.
    status: kind === 'error' ? { code: StatusCode.ERROR, message: 'unique violation' } : { code: StatusCode.UNSET },
  };
  const render: SpanInput = {
    traceId,
    spanId: randomHexId(8, random),
    parentSpanId: rootId,
    name: 'render message',
    kind: SpanKind.INTERNAL,
    startMs: baseMs + 16,
    endMs: baseMs + 18,
  };
  return { kind, traceId, spans: [root, db, render] };
}

/** Sums every sample of `name` in Prometheus text exposition (the collector's own metrics). */
function metricSum(exposition: string, name: string): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('tail sampling and span metrics over a few thousand traces', () => {
  let pipeline: Pipeline;
  const traces: GeneratedTrace[] = [];
  const linkedLogs: Array<{ traceId: string; spanId: string }> = [];

  beforeAll(async () => {
    pipeline = await startPipeline({
      collectorEnv: {
        SIGHTLINE_SAMPLING_PERCENTAGE: String(SAMPLING_PERCENTAGE),
        SIGHTLINE_CORS_ORIGIN: BROWSER_ORIGIN,
      },
    });
    const random = seededRandom(20261122);
    const baseMs = Date.now() - 5_000;
    for (const [kind, count] of Object.entries(counts) as Array<[TraceKind, number]>) {
      for (let i = 0; i < count; i++) traces.push(generate(kind, random, baseMs + i));
    }
    // Interleave kinds, and send each trace's children in one request and its root in the next,
    // so the sampler has to assemble traces from separate exports.
    traces.sort(() => random() - 0.5);
    const perRequest = 200;
    for (let i = 0; i < traces.length; i += perRequest) {
      const chunk = traces.slice(i, i + perRequest);
      const children = chunk.flatMap((t) => t.spans.slice(1));
      const roots = chunk.map((t) => t.spans[0] as SpanInput);
      if (children.length > 0)
        await postOtlpJson(pipeline.collector.otlpHttpUrl, 'traces', tracesRequest(resource, children));
      await postOtlpJson(pipeline.collector.otlpHttpUrl, 'traces', tracesRequest(resource, roots));
    }
    for (const trace of traces.filter((t) => t.kind === 'rest').slice(0, 20)) {
      linkedLogs.push({ traceId: trace.traceId, spanId: (trace.spans[0] as SpanInput).spanId });
    }
    await postOtlpJson(
      pipeline.collector.otlpHttpUrl,
      'logs',
      logsRequest(
        resource,
        linkedLogs.map((link) => ({ timeMs: Date.now(), body: 'message stored', ...link })),
      ),
    );

    const mustKeep = traces.filter((t) => t.kind === 'error' || t.kind === 'slow' || t.kind === 'forced').length;
    const decidable = traces.filter((t) => t.kind !== 'health').length;
    // Settled: the sampler has decided every trace and holds none (its own metrics say so), every
    // must-keep trace is in the sink, and the sink has not grown for 2 s (batch + export + file
    // flush take well under that).
    let last = -1;
    let stableSince = Date.now();
    await waitFor(
      async () => {
        const own = await (await fetch(pipeline.collector.metricsUrl)).text();
        const decided = metricSum(own, 'otelcol_processor_tail_sampling_global_count_traces_sampled');
        const held = metricSum(own, 'otelcol_processor_tail_sampling_sampling_traces_on_memory');
        const spans = pipeline.sink.spans();
        if (spans.length !== last) {
          last = spans.length;
          stableSince = Date.now();
          return false;
        }
        const kept = new Set(spans.map((s) => s.traceId));
        const mustKeepIn = traces.filter((t) => t.kind !== 'rest' && t.kind !== 'health' && kept.has(t.traceId)).length;
        return decided >= decidable && held === 0 && mustKeepIn === mustKeep && Date.now() - stableSince > 2_000;
      },
      { what: `${decidable} sampling decisions and a settled sink`, timeoutMs: 90_000, intervalMs: 250 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${pipeline.logs()}`);
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  const keptIds = () => new Set(pipeline.sink.spans().map((s) => s.traceId));

  for (const kind of ['error', 'slow', 'forced'] as const) {
    it(`keeps 100% of ${kind} traces`, () => {
      const kept = keptIds();
      const missing = traces.filter((t) => t.kind === kind && !kept.has(t.traceId));
      assert.equal(missing.length, 0, `${missing.length} of ${counts[kind]} ${kind} traces dropped`);
    });
  }

  it(`keeps ${SAMPLING_PERCENTAGE}% ± ${TOLERANCE_POINTS} points of the rest`, () => {
    const kept = keptIds();
    const rest = traces.filter((t) => t.kind === 'rest');
    const share = (100 * rest.filter((t) => kept.has(t.traceId)).length) / rest.length;
    console.log(
      `sampling: kept ${share.toFixed(2)}% of ${rest.length} ordinary traces (configured ${SAMPLING_PERCENTAGE}%)`,
    );
    assert.ok(
      Math.abs(share - SAMPLING_PERCENTAGE) <= TOLERANCE_POINTS,
      `kept ${share.toFixed(2)}%, expected ${SAMPLING_PERCENTAGE} ± ${TOLERANCE_POINTS}`,
    );
  });

  it('keeps every span of every kept trace, exactly once', () => {
    const bySpanId = new Map<string, number>();
    for (const span of pipeline.sink.spans()) bySpanId.set(span.spanId, (bySpanId.get(span.spanId) ?? 0) + 1);
    const kept = keptIds();
    const incomplete = traces.filter((t) => kept.has(t.traceId) && t.spans.some((s) => bySpanId.get(s.spanId) !== 1));
    assert.equal(incomplete.length, 0, `${incomplete.length} kept traces are missing or duplicating spans`);
  });

  it('drops health-check traces', () => {
    const healthIds = new Set(traces.filter((t) => t.kind === 'health').map((t) => t.traceId));
    const health = pipeline.sink.spans().filter((s) => healthIds.has(s.traceId));
    assert.equal(health.length, 0, `${health.length} health-check spans reached the trace backend`);
  });

  it('counts span metrics over every trace sent, not only the kept ones', async () => {
    const sent = traces.filter((t) => t.kind !== 'health').length;
    const expr = 'sum(traces_span_metrics_calls_total{service_name="sampling-probe",span_kind="SPAN_KIND_SERVER"})';
    let counted = 0;
    await waitFor(
      async () => {
        counted = await pipeline.prometheus.queryScalar(expr);
        return counted === sent;
      },
      { what: `span-metric calls = ${sent}`, timeoutMs: 30_000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last value ${counted}\n${pipeline.logs()}`);
    });
    const kept = keptIds().size;
    assert.ok(kept < sent, `sampling kept ${kept} of ${sent}, so the check above proves nothing`);
    const errors = await pipeline.prometheus.queryScalar(
      'sum(traces_span_metrics_calls_total{service_name="sampling-probe",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"})',
    );
    assert.equal(errors, counts.error);
    const health = await pipeline.prometheus.query('traces_span_metrics_calls_total{http_route=~"/health/.*"}');
    assert.equal(health.length, 0, 'health checks counted in span metrics');
  });

  it('labels span metrics per CONTRACT.md and buckets at the 0.4 s SLO', async () => {
    const series = await pipeline.prometheus.series(
      'traces_span_metrics_duration_seconds_bucket{service_name="sampling-probe",span_kind="SPAN_KIND_SERVER"}',
    );
    assert.ok(series.length > 0, 'no span-metric histogram');
    const first = series[0] as Record<string, string>;
    assert.equal(first.http_route, '/api/rooms/:roomId/messages');
    assert.equal(first.http_request_method, 'POST');
    assert.equal(first.deployment_environment_name, 'test');
    assert.ok(
      series.some((s) => s.le === '0.4'),
      `no le="0.4" bucket: ${series.map((s) => s.le).join(',')}`,
    );
  });

  it('sends span-metric exemplars only for kept traces (span_metrics/kept), none before sampling', async () => {
    const end = Date.now() / 1000 + 60;
    const exemplarsOf = async (query: string) =>
      (
        await pipeline.prometheus.api<Array<{ exemplars: Array<{ labels: Record<string, string> }> }>>(
          `/api/v1/query_exemplars?${new URLSearchParams({ query, start: String(end - 3600), end: String(end) })}`,
        )
      ).flatMap((series) => series.exemplars);
    const found = await waitFor(
      async () => {
        const list = await exemplarsOf(
          'traces_span_metrics_kept_duration_seconds_bucket{service_name="sampling-probe"}',
        );
        return list.length >= 10 ? list : undefined;
      },
      { what: 'kept-trace span-metric exemplars in Prometheus', timeoutMs: 15_000, intervalMs: 500 },
    );
    const kept = keptIds();
    const unresolved = found.filter((exemplar) => !kept.has(exemplar.labels.trace_id ?? ''));
    assert.deepEqual(unresolved, [], `${unresolved.length} of ${found.length} exemplars point at dropped traces`);
    // The exact, pre-sampling histogram carries none: most would point at dropped traces.
    assert.deepEqual(
      await exemplarsOf('traces_span_metrics_duration_seconds_bucket{service_name="sampling-probe"}'),
      [],
    );
  });

  it('delivers logs with their trace_id and span_id', async () => {
    await waitFor(() => pipeline.sink.logRecords().length >= linkedLogs.length, {
      what: 'linked logs in the sink',
      timeoutMs: 15_000,
    });
    const records = pipeline.sink.logRecords();
    for (const link of linkedLogs) {
      const record = records.find((r) => r.traceId === link.traceId);
      assert.ok(record !== undefined, `no log with trace_id ${link.traceId}`);
      assert.equal(record.spanId, link.spanId);
    }
  });

  it('allows OTLP/HTTP from the configured browser origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${pipeline.collector.otlpHttpUrl}/v1/traces`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight(BROWSER_ORIGIN);
    assert.equal(allowed.headers.get('access-control-allow-origin'), BROWSER_ORIGIN);
    const other = await preflight('https://evil.example');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  it('serves its own metrics for Prometheus to scrape', async () => {
    const text = await (await fetch(pipeline.collector.metricsUrl)).text();
    assert.match(text, /^otelcol_receiver_accepted_spans[_a-z]*\{/m);
    assert.match(text, /^otelcol_processor_tail_sampling_/m);
  });
});
