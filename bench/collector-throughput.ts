/**
 * Collector throughput through the full traces pipeline, in spans per CPU-second of the collector
 * process (spans/s per core): the real slim binary with a collector config, OTLP/HTTP JSON in,
 * a sink collector standing in for Tempo. CPU time comes from /proc, so a busy machine lowers the
 * wall-clock rate but not the result much.
 *
 *   node --import tsx bench/collector-throughput.ts [--config collector/otelcol.yaml] [--spans 20000]
 *
 * Each span carries what an HTTP service sets (route, method, status, path, client address, user
 * agent), one in ten a query string with an email and coordinates. Default sampling (10 %).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type Attributes,
  collectorConfigPath,
  postOtlpJson,
  randomHexId,
  type SpanInput,
  SpanKind,
  seededRandom,
  startCollector,
  startSink,
  tracesRequest,
  waitFor,
} from '@sightline/harness';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: collectorConfigPath('otelcol.yaml') },
    spans: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '500' },
    sampling: { type: 'string', default: '10' },
  },
});
const total = Number(values.spans);
const batchSize = Number(values.batch);
const TICKS_PER_SECOND = 100;

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function spans(n: number, offset: number, random: () => number): SpanInput[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => {
    const k = offset + i;
    const attributes: Attributes = {
      'http.route': '/api/orders/:orderId',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.path': `/api/orders/ORD-2024-${String(k).padStart(6, '0')}`,
      'client.address': `203.0.${k % 250}.${(k * 7) % 250}`,
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
    };
    if (k % 10 === 0) attributes['url.query'] = 'to=maria.gonzalez%40example.com&lat=41.0082376&lon=28.9783589';
    return {
      traceId: randomHexId(16, random),
      spanId: randomHexId(8, random),
      name: 'GET /api/orders/:orderId',
      kind: SpanKind.SERVER,
      startMs: now - 30,
      endMs: now - 5,
      attributes,
    };
  });
}

const sink = await startSink();
const collector = await startCollector({
  config: values.config,
  env: {
    SIGHTLINE_TEMPO_ENDPOINT: sink.otlpGrpcEndpoint,
    SIGHTLINE_TEMPO_INSECURE: 'true',
    SIGHTLINE_LOKI_OTLP_ENDPOINT: sink.otlpHttpUrl,
    // Metrics (span metrics) go nowhere: the remote-write queue holds them, they are few.
    SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: 'http://127.0.0.1:9/api/v1/write',
    SIGHTLINE_SAMPLING_PERCENTAGE: values.sampling,
    SIGHTLINE_SAMPLING_DECISION_WAIT: '1s',
    SIGHTLINE_BATCH_TIMEOUT: '200ms',
    SIGHTLINE_HOSTMETRICS_INTERVAL: '1h',
  },
});
try {
  const pid = collector.process.child.pid as number;
  const random = seededRandom(42);
  // Warm-up: the first batches pay for lazy initialisation.
  await postOtlpJson(
    collector.otlpHttpUrl,
    'traces',
    tracesRequest({ 'service.name': 'bench' }, spans(500, 0, random)),
  );
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const requests: unknown[] = [];
  for (let i = 0; i < total; i += batchSize)
    requests.push(tracesRequest({ 'service.name': 'bench' }, spans(Math.min(batchSize, total - i), i, random)));
  const start = cpuTicks(pid);
  const wallStart = performance.now();
  for (const request of requests) await postOtlpJson(collector.otlpHttpUrl, 'traces', request);
  const sentMs = performance.now() - wallStart;
  // Done when the collector's CPU stops moving (sampling decisions, scrub, export drained).
  let last = cpuTicks(pid);
  let still = 0;
  await waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = cpuTicks(pid);
      still = now - last <= 2 ? still + 1 : 0;
      last = now;
      return still >= 4;
    },
    { what: 'the collector to go idle', timeoutMs: 300_000 },
  );
  const cpuSeconds = (last - start) / TICKS_PER_SECOND;
  const result = {
    config: values.config,
    spans: total,
    sampling: `${values.sampling}%`,
    collectorCpuSeconds: cpuSeconds,
    spansPerCpuSecond: Math.round(total / cpuSeconds),
    wallSendSeconds: Number((sentMs / 1000).toFixed(2)),
    spansInSink: sink.spans().length,
  };
  console.log(JSON.stringify(result));
} finally {
  await collector.stop();
  await sink.stop();
}
