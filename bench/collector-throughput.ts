/**
 * `npm run bench:collector`: the collector's capacity per core, for traces and logs, with the
 * production config (collector/otelcol.yaml) and with the stages from a minimal pipeline up to it
 * (bench/lib/collector-stages.ts), so each processor's cost shows.
 *
 * telemetrygen (scripts/build-telemetrygen.sh, the collector's own release) offers increasing rates
 * over OTLP/gRPC; exporters point at a cheap sink collector (bench/collector-sink.yaml). The collector
 * under test runs with GOMAXPROCS=1 pinned to one core (taskset), GOMEMLIMIT=400MiB as in compose,
 * so its accepted rate at saturation is its capacity per core. Per step it reports accepted items/s,
 * CPU-seconds per 1,000 items and items per CPU-second (from /proc: robust on a shared machine), peak
 * RSS, refusals (the collector's otelcol_receiver_refused_*) and telemetrygen's export errors. The
 * production stage then gets twice its measured capacity for a while: accepted rate per second,
 * refusals and RSS show whether it holds at capacity and within its memory budget.
 *
 *   npm run bench:collector [-- --signal traces|logs] [--stages minimal,production]
 *     [--rates 5000,10000,20000,40000] [--duration 8] [--overload-seconds 30] [--no-overload]
 *     [--sampling 10] [--json out.json] [--markdown out.md]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Collector, collectorConfigPath, repoRoot, startCollector, tempDir, waitFor } from '@sightline/harness';
import {
  cpuSeconds,
  loadAverage,
  type ReceiverCounts,
  type RssPeaks,
  receiverCounts,
  rssSampler,
} from './lib/collector-probe.ts';
import { type Signal, type Stage, stageConfig, stagesOf } from './lib/collector-stages.ts';

const { values } = parseArgs({
  options: {
    signal: { type: 'string', multiple: true },
    stages: { type: 'string' },
    rates: { type: 'string' },
    duration: { type: 'string', default: '8' },
    'overload-seconds': { type: 'string', default: '30' },
    'no-overload': { type: 'boolean', default: false },
    sampling: { type: 'string', default: '10' },
    batch: { type: 'string', default: '512' },
    config: { type: 'string', default: collectorConfigPath('otelcol.yaml') },
    json: { type: 'string' },
    markdown: { type: 'string' },
    env: { type: 'string', multiple: true },
  },
});

const signals = (values.signal ?? ['traces', 'logs']) as Signal[];
const durationS = Number(values.duration);
const overloadS = Number(values['overload-seconds']);
/** Items per export request: OpenTelemetry SDKs' default maxExportBatchSize. */
const BATCH_SIZE = Number(values.batch);
/** Spans per telemetrygen trace: a root and two children, as a request with two client calls. */
const SPANS_PER_TRACE = 3;
/** The share of items that carry PII (an email, coordinates): the scrub replaces something in those. */
const PII_SHARE = 0.1;
const DEFAULT_RATES: Record<Signal, number[]> = {
  traces: [5000, 10000, 20000, 30000, 45000],
  logs: [5000, 10000, 20000, 30000, 45000],
};
/** The collector's memory budget (collector/README.md "Memory budget"): the container limit. */
const MEMORY_BUDGET_MIB = 512;
/** Extra env for the collector under test, `KEY=VALUE` (repeatable `--env`), to try a setting. */
const extraEnv = Object.fromEntries(
  (values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

const cores = availableParallelism();
const canPin = cores >= 2 && spawnSync('taskset', ['-V']).status === 0;
/** The collector under test gets the last core; this script, telemetrygen and the sink the others. */
const collectorCpu = String(cores - 1);
const otherCpus = cores > 2 ? `0-${cores - 2}` : '0';
if (canPin) spawnSync('taskset', ['-a', '-pc', otherCpus, String(process.pid)]);

const telemetrygen = execFileSync('bash', [join(repoRoot, 'scripts/build-telemetrygen.sh')], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();

const HTTP_ATTRIBUTES = [
  'http.route="/api/orders/:orderId"',
  'http.request.method="GET"',
  'http.response.status_code=200',
  'url.path="/api/orders/ORD-2024-000123"',
  'client.address="203.0.113.7"',
  'user_agent.original="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"',
];
const PII_QUERY = 'url.query="to=maria.gonzalez%40example.com&lat=41.0082376&lon=28.9783589"';

/**
 * telemetrygen's limits on this machine: a worker's rate limiter (burst 1) sleeps per item, and
 * timer granularity keeps one worker well under 1,000 items/s, so workers run at 250/s each; a
 * process exports through one batch processor whose single export loop drops what does not fit its
 * 2,048 queue, so one process carries at most 12,000 items/s.
 */
const PER_WORKER = 250;
const PER_PROCESS = 12000;

/** One telemetrygen process's arguments for `rate` items/s of `signal` over `seconds`. */
function telemetrygenArgs(signal: Signal, endpoint: string, rate: number, seconds: number, pii: boolean): string[] {
  const workers = Math.max(1, Math.ceil(rate / PER_WORKER));
  const attributes = [...HTTP_ATTRIBUTES, ...(pii ? [PII_QUERY] : [])].flatMap((a) => ['--telemetry-attributes', a]);
  const common = [
    '--otlp-endpoint',
    endpoint,
    '--otlp-insecure',
    '--duration',
    `${seconds}s`,
    '--workers',
    String(workers),
    '--rate',
    String(rate / workers),
    '--service',
    'bench-orders',
    '--otlp-attributes',
    'deployment.environment.name="bench"',
    '--allow-export-failures',
    // OpenTelemetry SDKs' default export batch (Sightline's SDK sends 128, OBS_EXPORT_BATCH_SIZE).
    '--batch-size',
    String(BATCH_SIZE),
    '--interval',
    '1h',
    ...attributes,
  ];
  if (signal === 'traces') {
    // The limiter counts spans: a trace is a root and SPANS_PER_TRACE - 1 children.
    return ['traces', ...common, '--child-spans', String(SPANS_PER_TRACE - 1), '--span-duration', '4ms'];
  }
  const body = pii
    ? 'password reset mail sent to maria.gonzalez@example.com from 203.0.113.7'
    : 'request completed: GET /api/orders/ORD-2024-000123 200 in 4.2 ms';
  return ['logs', ...common, '--body', body];
}

/** `rate` split into telemetrygen processes of at most {@link PER_PROCESS} items/s each. */
function processRates(rate: number): number[] {
  const n = Math.max(1, Math.ceil(rate / PER_PROCESS));
  return Array.from({ length: n }, () => rate / n);
}

interface GeneratorRun {
  /** Lines telemetrygen logged at ERROR or WARN level (failed exports after its retries). */
  errors: number;
  exitCode: number | null;
  sample: string;
}

/** Runs one telemetrygen process to completion, pinned away from the collector. */
function runTelemetrygen(args: string[]): Promise<GeneratorRun> {
  const [command, argv] = canPin ? ['taskset', ['-c', otherCpus, telemetrygen, ...args]] : [telemetrygen, args];
  const child = spawn(command, argv as string[], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = 0;
  let sample = '';
  let rest = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!/\t(ERROR|WARN)\t/.test(line)) continue;
      errors += 1;
      if (sample === '') sample = line.slice(0, 300);
    }
  });
  return new Promise((resolve) => child.once('exit', (exitCode) => resolve({ errors, exitCode, sample })));
}

/** Offers `rate` items/s for `seconds`: 90 % clean items and 10 % with PII, from separate telemetrygen processes. */
async function offer(signal: Signal, endpoint: string, rate: number, seconds: number): Promise<GeneratorRun> {
  const runs = await Promise.all([
    ...processRates(rate * (1 - PII_SHARE)).map((r) =>
      runTelemetrygen(telemetrygenArgs(signal, endpoint, r, seconds, false)),
    ),
    runTelemetrygen(telemetrygenArgs(signal, endpoint, rate * PII_SHARE, seconds, true)),
  ]);
  return {
    errors: runs.reduce((n, r) => n + r.errors, 0),
    exitCode: runs.find((r) => r.exitCode !== 0)?.exitCode ?? 0,
    sample: runs.find((r) => r.sample !== '')?.sample ?? '',
  };
}

/** One rate step's figures. */
export interface Step {
  signal: Signal;
  stage: string;
  offeredPerS: number;
  acceptedPerS: number;
  /** Collector CPU-seconds per 1,000 accepted items, the drain after the load included. */
  cpuSecondsPer1000: number;
  /** Accepted items per collector CPU-second: the rate one core sustains. */
  perCore: number;
  refused: number;
  generatorErrors: number;
  rssPeakMiB: number;
  /** Peak RssAnon: RSS without the file_storage queue's mapped file pages. */
  anonPeakMiB: number;
  /** Items that reached the sink (traces: spans kept by sampling). */
  exported: number;
  load1: number;
}

interface Running {
  collector: Collector;
  pid: number;
}

const peaks = (p: RssPeaks) => ({ rssPeakMiB: Math.round(p.rss), anonPeakMiB: Math.round(p.anon) });

const item = (signal: Signal) => (signal === 'traces' ? 'spans' : 'log_records');

async function startUnderTest(config: string, sink: Collector, dataDir: string): Promise<Running> {
  const collector = await startCollector({
    name: 'collector-under-test',
    config,
    env: {
      // Measure one core; the compose memory settings (collector/README.md "Memory budget").
      GOMAXPROCS: '1',
      GOMEMLIMIT: '400MiB',
      SIGHTLINE_TEMPO_ENDPOINT: sink.otlpGrpcEndpoint,
      SIGHTLINE_TEMPO_INSECURE: 'true',
      SIGHTLINE_LOKI_OTLP_ENDPOINT: sink.otlpHttpUrl,
      // Span metrics go nowhere: the remote-write queue holds them; they are a few series.
      SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: 'http://127.0.0.1:9/api/v1/write',
      SIGHTLINE_SAMPLING_PERCENTAGE: values.sampling,
      SIGHTLINE_HOSTMETRICS_INTERVAL: '1h',
      SIGHTLINE_COLLECTOR_LOG_LEVEL: 'warn',
      SIGHTLINE_STORAGE_DIR: join(dataDir, `storage-${Date.now()}`),
      ...extraEnv,
    },
  });
  const pid = collector.process.child.pid as number;
  if (canPin) spawnSync('taskset', ['-a', '-pc', collectorCpu, String(pid)]);
  return { collector, pid };
}

/** Waits until the collector's CPU stops moving (sampling decisions, exports drained), at most 20 s. */
async function drained(pid: number): Promise<void> {
  let last = cpuSeconds(pid);
  let still = 0;
  await waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = cpuSeconds(pid);
      still = now - last <= 0.03 ? still + 1 : 0;
      last = now;
      return still >= 3;
    },
    { what: 'the collector to go idle', timeoutMs: 20_000 },
  ).catch(() => undefined);
}

async function step(signal: Signal, stage: Stage, run: Running, sink: Collector, rate: number): Promise<Step> {
  const kind = item(signal);
  const before = await receiverCounts(run.collector.metricsUrl, kind);
  const sinkBefore = await receiverCounts(sink.metricsUrl, kind);
  const cpuBefore = cpuSeconds(run.pid);
  const rss = rssSampler(run.pid);
  const started = performance.now();
  const generated = await offer(signal, run.collector.otlpGrpcEndpoint, rate, durationS);
  const wallS = (performance.now() - started) / 1000;
  const during = await receiverCounts(run.collector.metricsUrl, kind);
  await drained(run.pid);
  const cpu = cpuSeconds(run.pid) - cpuBefore;
  const after = await receiverCounts(run.collector.metricsUrl, kind);
  const sinkAfter = await receiverCounts(sink.metricsUrl, kind);
  const accepted = during.accepted - before.accepted;
  const result: Step = {
    signal,
    stage: stage.id,
    offeredPerS: rate,
    acceptedPerS: Math.round(accepted / wallS),
    cpuSecondsPer1000: Number(((cpu / Math.max(1, after.accepted - before.accepted)) * 1000).toFixed(4)),
    perCore: Math.round((after.accepted - before.accepted) / cpu),
    refused: after.refused - before.refused,
    generatorErrors: generated.errors,
    ...peaks(rss.stop()),
    exported: sinkAfter.accepted - sinkBefore.accepted,
    load1: loadAverage(),
  };
  console.log(JSON.stringify(result));
  if (generated.sample !== '') console.error(`  telemetrygen: ${generated.sample}`);
  return result;
}

/** The overload run's figures: twice the measured capacity for `seconds`. */
export interface Overload {
  signal: Signal;
  capacityPerS: number;
  offeredPerS: number;
  /** Accepted items/s in each second of the run. */
  acceptedEachSecond: number[];
  /** Median of the per-second accepted rates over the second half of the run. */
  acceptedMedianPerS: number;
  refused: number;
  generatorErrors: number;
  rssPeakMiB: number;
  anonPeakMiB: number;
  budgetMiB: number;
  load1: number;
}

async function overload(signal: Signal, run: Running, capacity: number, seconds: number): Promise<Overload> {
  const kind = item(signal);
  const before = await receiverCounts(run.collector.metricsUrl, kind);
  const rss = rssSampler(run.pid, 100);
  const offeredPerS = Math.round(capacity * 2);
  const generating = offer(signal, run.collector.otlpGrpcEndpoint, offeredPerS, seconds);
  const perSecond: number[] = [];
  let last: ReceiverCounts = before;
  let done = false;
  void generating.then(() => {
    done = true;
  });
  while (!done) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await receiverCounts(run.collector.metricsUrl, kind);
    perSecond.push(now.accepted - last.accepted);
    last = now;
  }
  const generated = await generating;
  await drained(run.pid);
  const after = await receiverCounts(run.collector.metricsUrl, kind);
  const secondHalf = perSecond.slice(Math.floor(perSecond.length / 2), -1).sort((a, b) => a - b);
  const result: Overload = {
    signal,
    capacityPerS: Math.round(capacity),
    offeredPerS,
    acceptedEachSecond: perSecond,
    acceptedMedianPerS: secondHalf[Math.floor(secondHalf.length / 2)] ?? 0,
    refused: after.refused - before.refused,
    generatorErrors: generated.errors,
    ...peaks(rss.stop()),
    budgetMiB: MEMORY_BUDGET_MIB,
    load1: loadAverage(),
  };
  console.log(JSON.stringify(result));
  return result;
}

const steps: Step[] = [];
const overloads: Overload[] = [];
const dir = tempDir('bench-collector');
const sink = await startCollector({
  name: 'bench-sink',
  config: join(repoRoot, 'bench/collector-sink.yaml'),
  env: { BENCH_SINK_PATH: join(dir, 'sink.pb') },
});
if (canPin) spawnSync('taskset', ['-a', '-pc', otherCpus, String(sink.process.child.pid)]);
const onlyStages = values.stages?.split(',');
try {
  for (const signal of signals) {
    for (const stage of stagesOf(signal)) {
      if (onlyStages !== undefined && !onlyStages.includes(stage.id)) continue;
      const run = await startUnderTest(stageConfig(stage, values.config, dir), sink, dir);
      try {
        // Warm-up: lazy initialisation, first connections, the decision cache's first entries.
        await offer(signal, run.collector.otlpGrpcEndpoint, 2000, 2);
        await drained(run.pid);
        const rates = values.rates?.split(',').map(Number) ?? DEFAULT_RATES[signal];
        const stageSteps: Step[] = [];
        for (const rate of rates) stageSteps.push(await step(signal, stage, run, sink, rate));
        steps.push(...stageSteps);
        if (stage.pipelines === undefined && !values['no-overload']) {
          const capacity = Math.max(...stageSteps.map((s) => s.acceptedPerS));
          overloads.push(await overload(signal, run, capacity, overloadS));
        }
      } finally {
        await run.collector.stop();
      }
    }
  }
} finally {
  await sink.stop();
}

/** Markdown tables of the run, for docs/benchmarks.md's collector section. */
function markdown(): string {
  const lines: string[] = [];
  const bySignal = (signal: Signal) => steps.filter((s) => s.signal === signal);
  for (const signal of signals) {
    const unit = signal === 'traces' ? 'spans' : 'records';
    lines.push(
      `### ${signal === 'traces' ? 'Traces' : 'Logs'}`,
      '',
      `| stage | offered ${unit}/s | accepted ${unit}/s | CPU-s per 1,000 | ${unit}/s per core | refused | telemetrygen errors | RSS peak MiB (anon) | ${signal === 'traces' ? 'spans exported (kept)' : 'records exported'} | load |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const s of bySignal(signal))
      lines.push(
        `| ${s.stage} | ${s.offeredPerS} | ${s.acceptedPerS} | ${s.cpuSecondsPer1000} | ${s.perCore} | ${s.refused} | ${s.generatorErrors} | ${s.rssPeakMiB} (${s.anonPeakMiB}) | ${s.exported} | ${s.load1} |`,
      );
    lines.push('');
    const stagesSeen = [...new Set(bySignal(signal).map((s) => s.stage))];
    lines.push(
      `| stage | ${unit}/s per core (median of the steps) | capacity on one core (highest accepted/s) |`,
      '| --- | ---: | ---: |',
    );
    for (const id of stagesSeen) {
      const mine = bySignal(signal).filter((s) => s.stage === id);
      const perCore = mine.map((s) => s.perCore).sort((a, b) => a - b);
      lines.push(
        `| ${id} | ${perCore[Math.floor(perCore.length / 2)]} | ${Math.max(...mine.map((s) => s.acceptedPerS))} |`,
      );
    }
    lines.push('');
    for (const o of overloads.filter((x) => x.signal === signal))
      lines.push(
        `Overload, production config: offered ${o.offeredPerS} ${unit}/s (2× the ${o.capacityPerS}/s capacity) for ${o.acceptedEachSecond.length} s: accepted median ${o.acceptedMedianPerS}/s over the second half (each second: ${o.acceptedEachSecond.join(', ')}), refused ${o.refused}, telemetrygen errors ${o.generatorErrors}, RSS peak ${o.rssPeakMiB} MiB, ${o.anonPeakMiB} MiB without mapped files (budget ${o.budgetMiB} MiB), load ${o.load1}.`,
        '',
      );
  }
  return lines.join('\n');
}

const table = markdown();
console.log(`\n${table}`);
if (values.markdown !== undefined) writeFileSync(values.markdown, table);
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ steps, overloads }, null, 2));
