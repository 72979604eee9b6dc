// SIGKILL of the real collector while Tempo is down, before and after deciding traces 1 s after
// their root (decision_wait_after_root_received): what was in the tail-sampling buffer is lost
// with the process, what reached the persistent sending queue (file_storage) is delivered by the
// next process on the same storage. Exact counts, both ways:
//   before (decision_wait 10 s only): killed 5 s after the last root, all 100 traces are lost;
//   after (1 s after the root): within 5 s every trace is in the queue on disk, none is lost and
//   none is delivered twice.
import { join } from 'node:path';
import {
  type Collector,
  freePort,
  postOtlpJson,
  randomHexId,
  type Sink,
  type SpanInput,
  SpanKind,
  seededRandom,
  startCollector,
  startSink,
  tempDir,
  tracesRequest,
  waitFor,
} from '@sightline/harness';
import { afterAll, describe, expect, it } from 'vitest';

/** Another collector config to run against (how the before numbers were measured). @default collector/otelcol.yaml */
const CONFIG = process.env.SIGHTLINE_COLLECTOR_CONFIG;

const TRACES = 100;
const KILL_AFTER_MS = 5000;
const resource = { 'service.name': 'crash-probe', 'deployment.environment.name': 'test' };

/** Sums every sample of `name` (with or without `_total`) in the collector's own metrics. */
async function ownMetric(collector: Collector, name: string, filter = ''): Promise<number> {
  const text = await (await fetch(collector.metricsUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!(line.startsWith(`${name}{`) || line.startsWith(`${name} `) || line.startsWith(`${name}_total{`))) continue;
    if (filter !== '' && !line.includes(filter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

interface CrashResult {
  sent: number;
  delivered: number;
  unique: number;
  /** ms from the last root to every sampled span being in the exporter's queue; undefined if never. */
  durableAfterMs: number | undefined;
}

async function crashOnce(
  label: string,
  afterRoot: string,
  running: Array<{ stop(): Promise<void> }>,
): Promise<CrashResult> {
  const tempoPort = await freePort();
  const env = {
    // Nothing listens here until after the crash: Tempo is down, spans wait in the queue on disk.
    SIGHTLINE_TEMPO_ENDPOINT: `127.0.0.1:${tempoPort}`,
    SIGHTLINE_LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: `http://127.0.0.1:${await freePort()}/api/v1/write`,
    SIGHTLINE_STORAGE_DIR: join(tempDir(`crash-${label}`), 'storage'),
    SIGHTLINE_SAMPLING_DECISION_WAIT_AFTER_ROOT: afterRoot,
  };
  const first = await startCollector({ ...(CONFIG && { config: CONFIG }), name: `collector-${label}`, env });
  running.push(first);

  // Like an SDK: children end and are exported first, their roots a moment later. Forced, so every
  // trace is kept and the counts are exact.
  const random = seededRandom(label.length * 7919);
  const now = Date.now();
  const traces = Array.from({ length: TRACES }, (_, i) => ({
    traceId: randomHexId(16, random),
    rootId: randomHexId(8, random),
    i,
  }));
  const children: SpanInput[] = traces.map(({ traceId, rootId, i }) => ({
    traceId,
    spanId: randomHexId(8, random),
    parentSpanId: rootId,
    name: 'SELECT divan',
    kind: SpanKind.CLIENT,
    startMs: now - 40 + (i % 10),
    endMs: now - 20 + (i % 10),
    attributes: { 'db.system.name': 'postgresql' },
  }));
  const roots: SpanInput[] = traces.map(({ traceId, rootId, i }) => ({
    traceId,
    spanId: rootId,
    name: 'POST /api/chat/send',
    kind: SpanKind.SERVER,
    startMs: now - 50 + (i % 10),
    endMs: now + (i % 10),
    attributes: { 'http.route': '/api/chat/send', 'sightline.sampling.force': true },
  }));
  await postOtlpJson(first.otlpHttpUrl, 'traces', tracesRequest(resource, children));
  await postOtlpJson(first.otlpHttpUrl, 'traces', tracesRequest(resource, roots));
  const rootsAt = Date.now();

  // Durable = the tail sampler released every trace and the batch reached the exporter's queue.
  let durableAfterMs: number | undefined;
  await waitFor(
    async () => {
      const sampled = await ownMetric(
        first,
        'otelcol_processor_tail_sampling_global_count_traces_sampled',
        'sampled="true"',
      );
      const queued = await ownMetric(first, 'otelcol_exporter_queue_size', 'otlp_grpc/tempo');
      return sampled >= TRACES && queued >= 1;
    },
    { what: 'every trace in the persistent queue', timeoutMs: KILL_AFTER_MS, intervalMs: 100 },
  ).then(
    () => {
      durableAfterMs = Date.now() - rootsAt;
    },
    () => {},
  );
  // The batch processor holds spans up to its 1 s timeout after the decision; once queue_size
  // counts a batch, every released trace went out in it (one decision tick, one batch).
  first.process.child.kill('SIGKILL');
  await first.process.exited();

  const sink: Sink = await startSink({ name: `sink-${label}`, grpcPort: tempoPort });
  running.push(sink);
  const second = await startCollector({ ...(CONFIG && { config: CONFIG }), name: `collector-${label}-restarted`, env });
  running.push(second);
  // Delivered: the restarted collector's queue is empty, and the sink's file holds every span it
  // sent (the sink flushes its file once a second).
  const ours = () =>
    sink
      .spans()
      .filter((s) => s.resource.some((kv) => kv.key === 'service.name' && kv.value?.stringValue === 'crash-probe'));
  let stable = 0;
  await waitFor(
    async () => {
      const queued = await ownMetric(second, 'otelcol_exporter_queue_size', 'otlp_grpc/tempo');
      const sent = await ownMetric(second, 'otelcol_exporter_sent_spans', 'otlp_grpc/tempo');
      stable = queued === 0 && ours().length === sent ? stable + 1 : 0;
      return stable >= 3;
    },
    { what: 'the restarted collector to drain its queue into the sink', timeoutMs: 60_000, intervalMs: 1000 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${second.logs()}\n${sink.logs()}`);
  });
  const spans = ours();
  await second.stop();
  await sink.stop();
  return {
    sent: 2 * TRACES,
    delivered: spans.length,
    unique: new Set(spans.map((s) => s.spanId)).size,
    durableAfterMs,
  };
}

describe('a collector SIGKILL loses the undecided traces only', () => {
  const running: Array<{ stop(): Promise<void> }> = [];
  afterAll(async () => {
    for (const server of running.reverse()) await server.stop();
  });

  it('before: deciding after decision_wait (10 s) alone, a kill 5 s after the roots loses every trace', async () => {
    const result = await crashOnce('before', '0s', running);
    console.log(`SIGKILL before: ${JSON.stringify(result)}`);
    expect(result.durableAfterMs).toBeUndefined();
    expect(result.unique).toBe(0);
  }, 120_000);

  it('after: deciding 1 s after the root, every trace is on disk within 5 s and survives the kill exactly once', async () => {
    const result = await crashOnce('after', '1s', running);
    console.log(`SIGKILL after: ${JSON.stringify(result)}`);
    expect(result.durableAfterMs).toBeDefined();
    expect(result.unique).toBe(result.sent);
    expect(result.delivered).toBe(result.sent);
  }, 120_000);
});
