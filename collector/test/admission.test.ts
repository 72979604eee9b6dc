// Admission control on the real collector with the production config (collector/otelcol.yaml wires
// the sightline_admission extension into both OTLP receivers). With room for one request and none
// waiting, a burst of concurrent OTLP/HTTP exports is split: some are accepted whole (200, every span
// counted), the rest are refused at once with a retryable 503 and Retry-After, and the collector's
// own counter agrees with what the clients saw. Nothing is half-accepted. The gRPC path and the
// waiting queue are covered by the extension's Go tests (go-modules.test.ts runs them).
import {
  type Collector,
  freePort,
  randomHexId,
  type Sink,
  SpanKind,
  startCollector,
  startSink,
  tracesRequest,
  waitFor,
} from '@sightline/harness';
import { afterAll, describe, expect, it } from 'vitest';
import { sumSeries } from '../../bench/lib/collector-probe.ts';

const CONCURRENT = 24;
const SPANS_PER_REQUEST = 2000;

describe('admission control on the OTLP receivers', () => {
  const running: Array<{ stop(): Promise<void> }> = [];
  afterAll(async () => {
    for (const server of running.reverse()) await server.stop();
  });

  it('refuses what does not fit with a retryable 503 and accepts the rest whole', async () => {
    const sink: Sink = await startSink({ name: 'sink-admission' });
    running.push(sink);
    const collector: Collector = await startCollector({
      name: 'collector-admission',
      env: {
        SIGHTLINE_TEMPO_ENDPOINT: sink.otlpGrpcEndpoint,
        SIGHTLINE_LOKI_OTLP_ENDPOINT: sink.otlpHttpUrl,
        SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: `http://127.0.0.1:${await freePort()}/api/v1/write`,
        SIGHTLINE_ADMISSION_MAX_IN_FLIGHT: '1',
        SIGHTLINE_ADMISSION_MAX_WAITING: '0',
      },
    });
    running.push(collector);

    const now = Date.now();
    const body = (n: number) =>
      JSON.stringify(
        tracesRequest(
          { 'service.name': 'admission-test' },
          Array.from({ length: SPANS_PER_REQUEST }, (_, i) => ({
            traceId: randomHexId(16),
            spanId: randomHexId(8),
            name: `GET /orders/:id ${n}-${i}`,
            kind: SpanKind.SERVER,
            startMs: now,
            endMs: now + 5,
            attributes: { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': 200 },
          })),
        ),
      );
    const bodies = Array.from({ length: CONCURRENT }, (_, n) => body(n));
    const answers = await Promise.all(
      bodies.map(async (text) => {
        const response = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: text,
        });
        await response.arrayBuffer();
        return { status: response.status, retryAfter: response.headers.get('retry-after') };
      }),
    );
    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(accepted.length + refused.length).toBe(CONCURRENT);
    expect(accepted.length, JSON.stringify(answers)).toBeGreaterThan(0);
    expect(refused.length, JSON.stringify(answers)).toBeGreaterThan(0);
    for (const answer of refused) expect(answer).toEqual({ status: 503, retryAfter: '1' });

    // The collector's own counts: admitted and refused requests as the clients saw them, and exactly
    // the admitted requests' spans accepted by the receiver.
    const counts = await waitFor(
      async () => {
        const text = await (await fetch(collector.metricsUrl)).text();
        const c = {
          admitted: sumSeries(text, 'otelcol_sightline_admission_requests', { outcome: 'admitted' }),
          refused: sumSeries(text, 'otelcol_sightline_admission_requests', { outcome: 'refused_queue_full' }),
          spans: sumSeries(text, 'otelcol_receiver_accepted_spans', { receiver: 'otlp', transport: 'http' }),
        };
        return c.admitted + c.refused >= CONCURRENT && c;
      },
      { what: "the collector's admission counts", timeoutMs: 15_000 },
    );
    expect(counts.admitted).toBe(accepted.length);
    expect(counts.refused).toBe(refused.length);
    // Both trace pipelines share the receiver: it counts each accepted span once.
    expect(counts.spans).toBe(accepted.length * SPANS_PER_REQUEST);

    // Once the burst is over, a request is admitted again.
    const retry = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[0],
    });
    expect(retry.status).toBe(200);
  });
});
