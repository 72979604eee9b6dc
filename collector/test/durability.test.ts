import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  type Collector,
  freePort,
  logsRequest,
  postOtlpJson,
  randomHexId,
  type Sink,
  type SpanInput,
  SpanKind,
  seededRandom,
  startCollector,
  startPrometheus,
  startSink,
  tempDir,
  tracesRequest,
  waitFor,
} from '@sightline/harness';
import { afterAll, describe, it } from 'vitest';

const resource = { 'service.name': 'outage-probe', 'deployment.environment.name': 'test' };

/** Sums every sample of `name` in the collector's own metrics. */
async function ownMetric(collector: Collector, name: string): Promise<number> {
  const text = await (await fetch(collector.metricsUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('a Tempo and Loki outage across a collector restart loses nothing', () => {
  const running: Array<Collector | Sink | { stop(): Promise<void> }> = [];
  afterAll(async () => {
    for (const server of running.reverse()) await server.stop();
  });

  it('queues on disk while the backends are down and delivers everything once they are back', async () => {
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const prometheus = await startPrometheus({ name: 'prometheus-outage' });
    running.push(prometheus);
    const storageDir = join(tempDir('outage-storage'), 'storage');
    const env = {
      // Nothing listens on these ports yet: the "backends" are down.
      SIGHTLINE_TEMPO_ENDPOINT: `127.0.0.1:${grpcPort}`,
      SIGHTLINE_LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${httpPort}`,
      SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: prometheus.remoteWriteUrl,
      SIGHTLINE_STORAGE_DIR: storageDir,
      SIGHTLINE_SAMPLING_DECISION_WAIT: '1s',
      SIGHTLINE_BATCH_TIMEOUT: '200ms',
    };
    const first = await startCollector({ name: 'collector-before-restart', env });
    running.push(first);

    const random = seededRandom(99);
    const now = Date.now();
    const spans: SpanInput[] = Array.from({ length: 40 }, (_, i) => ({
      traceId: randomHexId(16, random),
      spanId: randomHexId(8, random),
      name: 'POST /api/chat/send',
      kind: SpanKind.SERVER,
      startMs: now - 100 + i,
      endMs: now - 50 + i,
      // Forced, so sampling keeps every one and the count is exact.
      attributes: { 'http.route': '/api/chat/send', 'sightline.sampling.force': true },
    }));
    const logs = spans.map((span, i) => ({
      timeMs: now + i,
      body: `chat message ${i} stored`,
      traceId: span.traceId,
      spanId: span.spanId,
    }));
    await postOtlpJson(first.otlpHttpUrl, 'traces', tracesRequest(resource, spans));
    await postOtlpJson(first.otlpHttpUrl, 'logs', logsRequest(resource, logs));

    // Both exporters have failed at least once and hold the data in their queues.
    await waitFor(
      async () =>
        (await ownMetric(first, 'otelcol_exporter_queue_size')) >= 2 &&
        first.logs().includes('otlp_grpc/tempo') &&
        first.logs().includes('otlp_http/loki'),
      { what: 'queued traces and logs while the backends are down', timeoutMs: 30_000, intervalMs: 250 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${first.logs()}`);
    });
    await first.stop();

    // The backends come back, then a new collector process on the same storage.
    const sink = await startSink({ name: 'sink-after-outage', grpcPort, httpPort });
    running.push(sink);
    const second = await startCollector({ name: 'collector-after-restart', env });
    running.push(second);
    await waitFor(
      () => {
        const spanIds = new Set(sink.spans().map((s) => s.spanId));
        const logBodies = new Set(sink.logRecords().map((r) => r.body?.stringValue));
        return spans.every((s) => spanIds.has(s.spanId)) && logs.every((l) => logBodies.has(l.body));
      },
      { what: 'every queued span and log delivered after the restart', timeoutMs: 60_000, intervalMs: 250 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${first.logs()}\n${second.logs()}\n${sink.logs()}`);
    });
    assert.equal(new Set(sink.spans().map((s) => s.spanId)).size, spans.length);
  });
});
