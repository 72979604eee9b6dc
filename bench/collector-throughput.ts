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
 *     [--rates 5000,10000,20000,40000] [--duration 8] [--overload-seconds 30] [--overload-clients 32] [--no-overload]
 *     [--sampling 10] [--cpu-quota 0.25] [--json out.json] [--markdown out.md] [--write]
 *
 * `--write` replaces the generated part of bench/collector-results.md and the collector section at
 * the end of docs/benchmarks.md, which embeds that file. Default rates take about 15 minutes for both signals.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Collector, collectorConfigPath, repoRoot, startCollector, tempDir, waitFor } from '@sightline/harness';
import {
  cpuSeconds,
  limitCpu,
  loadAverage,
  type ReceiverCounts,
  type RssPeaks,
  receiverCounts,
  rssSampler,
  runQueueSeconds,
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
    'overload-clients': { type: 'string', default: '32' },
    sampling: { type: 'string', default: '10' },
    batch: { type: 'string', default: '512' },
    config: { type: 'string', default: collectorConfigPath('otelcol.yaml') },
    json: { type: 'string' },
    markdown: { type: 'string' },
    env: { type: 'string', multiple: true },
    'dump-metrics': { type: 'string' },
    write: { type: 'boolean', default: false },
    'cpu-quota': { type: 'string' },
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
/** telemetrygen processes (exporters sending concurrently) in the overload run, besides the PII one. */
const OVERLOAD_CLIENTS = Number(values['overload-clients']);
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
    // OpenTelemetry SDKs' default export batch, and Sightline's (OBS_EXPORT_BATCH_SIZE).
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

/** `rate` split into telemetrygen processes of at most {@link PER_PROCESS} items/s each, at least `minProcesses`. */
function processRates(rate: number, minProcesses = 1): number[] {
  const n = Math.max(minProcesses, Math.ceil(rate / PER_PROCESS));
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
async function offer(
  signal: Signal,
  endpoint: string,
  rate: number,
  seconds: number,
  minProcesses = 1,
): Promise<GeneratorRun> {
  const runs = await Promise.all([
    ...processRates(rate * (1 - PII_SHARE), minProcesses).map((r) =>
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

/** Prints the collector's own series whose line matches `pattern` (`--dump-metrics`, to see where it waits). */
async function dumpMetrics(metricsUrl: string, pattern: string): Promise<void> {
  const re = new RegExp(pattern);
  const text = await (await fetch(metricsUrl)).text();
  for (const line of text.split('\n')) if (!line.startsWith('#') && re.test(line)) console.error(`  ${line}`);
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
  /** Export requests refused by admission control (retryable; the client sends them again later). */
  refusedRequests: number;
  generatorErrors: number;
  rssPeakMiB: number;
  /** Peak RssAnon: RSS without the file_storage queue's mapped file pages. */
  anonPeakMiB: number;
  /** Items that reached the sink (traces: spans kept by sampling). */
  exported: number;
  load1: number;
  /** CPU-seconds per second the collector's threads spent runnable but waiting for the CPU (machine contention). */
  cpuWaitPerS: number;
}

interface Running {
  collector: Collector;
  pid: number;
  /** Removes the CPU-quota cgroup (`--cpu-quota`) after the collector stopped. */
  release(): void;
}

/**
 * `--cpu-quota C`: the collector under test gets C cores of CPU time (a cgroup CFS quota), so its
 * capacity is small enough for telemetrygen on the other core to offer twice of it.
 */
const CPU_QUOTA = values['cpu-quota'] === undefined ? undefined : Number(values['cpu-quota']);

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
  const release = CPU_QUOTA === undefined ? () => {} : limitCpu(pid, CPU_QUOTA, `sightline-bench-${process.pid}`);
  return { collector, pid, release };
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
  const waitBefore = runQueueSeconds(run.pid);
  const rss = rssSampler(run.pid);
  const started = performance.now();
  const generated = await offer(signal, run.collector.otlpGrpcEndpoint, rate, durationS);
  const wallS = (performance.now() - started) / 1000;
  const during = await receiverCounts(run.collector.metricsUrl, kind);
  const waited = runQueueSeconds(run.pid) - waitBefore;
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
    refusedRequests: after.refusedRequests - before.refusedRequests,
    generatorErrors: generated.errors,
    ...peaks(rss.stop()),
    exported: sinkAfter.accepted - sinkBefore.accepted,
    load1: loadAverage(),
    cpuWaitPerS: Number((waited / wallS).toFixed(2)),
  };
  console.log(JSON.stringify(result));
  if (values['dump-metrics'] !== undefined) await dumpMetrics(run.collector.metricsUrl, values['dump-metrics']);
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
  /** Export requests refused by admission control (retryable; the client sends them again later). */
  refusedRequests: number;
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
  // Many clients, as a fleet of services would be: each telemetrygen process is one exporter.
  const generating = offer(signal, run.collector.otlpGrpcEndpoint, offeredPerS, seconds, OVERLOAD_CLIENTS);
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
    refusedRequests: after.refusedRequests - before.refusedRequests,
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
        run.release();
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
      `| stage | offered ${unit}/s | accepted ${unit}/s | CPU-s per 1,000 | ${unit}/s per core | refused items / requests | telemetrygen errors | RSS peak MiB (anon) | ${signal === 'traces' ? 'spans exported (kept)' : 'records exported'} | load | CPU wait/s |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const s of bySignal(signal))
      lines.push(
        `| ${s.stage} | ${s.offeredPerS} | ${s.acceptedPerS} | ${s.cpuSecondsPer1000} | ${s.perCore} | ${s.refused} / ${s.refusedRequests} | ${s.generatorErrors} | ${s.rssPeakMiB} (${s.anonPeakMiB}) | ${s.exported} | ${s.load1} | ${s.cpuWaitPerS} |`,
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
        `Overload, production config: offered ${o.offeredPerS} ${unit}/s (2× the ${o.capacityPerS}/s capacity) for ${o.acceptedEachSecond.length} s: accepted median ${o.acceptedMedianPerS}/s over the second half (each second: ${o.acceptedEachSecond.join(', ')}), refused ${o.refused} items by the pipeline and ${o.refusedRequests} export requests by admission control (retryable), telemetrygen errors ${o.generatorErrors}, RSS peak ${o.rssPeakMiB} MiB, ${o.anonPeakMiB} MiB without mapped files (budget ${o.budgetMiB} MiB), load ${o.load1}.`,
        '',
      );
  }
  return lines.join('\n');
}

const table = markdown();
console.log(`\n${table}`);
if (values.markdown !== undefined) writeFileSync(values.markdown, table);
if (values.write) writeSection(table);

/**
 * Replaces the generated part of bench/collector-results.md (between its markers; what follows the
 * end marker is written by hand and kept). docs/benchmarks.md embeds that file (bench/lib/report.ts),
 * and its collector section is updated here too, so both agree without a run of `npm run bench`.
 */
function writeSection(tables: string): void {
  const [start, end] = ['<!-- bench:collector start -->', '<!-- bench:collector end -->'];
  const runAt = new Date().toISOString();
  const section = [
    start,
    '## Collector throughput (`npm run bench:collector`)',
    '',
    `<!-- Generated by \`npm run bench:collector -- --write\` (bench/collector-throughput.ts) on ${runAt}. -->`,
    '',
    `telemetrygen (scripts/build-telemetrygen.sh, the collector's release) offers each rate for ${durationS} s over OTLP/gRPC,`,
    `in batches of ${BATCH_SIZE}: traces of ${SPANS_PER_TRACE} spans, log records with a body; every item carries an HTTP`,
    `request's attributes, ${PII_SHARE * 100} % also an email and coordinates. The collector under test runs each stage's config`,
    `(bench/lib/collector-stages.ts: collector/otelcol.yaml with fewer pipelines; \`production\` is the file itself) with`,
    `GOMAXPROCS=1 and GOMEMLIMIT=400MiB${CPU_QUOTA === undefined ? '' : `, a CPU quota of ${CPU_QUOTA} core (cgroup)`}, ${canPin ? `pinned to CPU ${collectorCpu}; telemetrygen and the sink (bench/collector-sink.yaml) on CPU ${otherCpus}` : 'unpinned (no taskset or one core)'}.`,
    `Tail sampling keeps ${values.sampling} %. **Per core** is accepted items per CPU-second of the collector process (/proc):`,
    'the rate one core sustains, and far steadier than accepted/s on this shared 2-core machine (`load` is its 1-minute',
    'load average; `CPU wait/s`: seconds per second its threads were runnable but waited for the core). Accepted/s at a',
    'step is what the machine let the collector and telemetrygen do, not a capacity.',
    '',
    'Before and after the tuning of issue 15, where the CPU goes, sizing and the memory budget: collector/README.md,',
    '"Capacity and sizing".',
    '',
    tables,
    end,
  ].join('\n');
  const results = join(repoRoot, 'bench/collector-results.md');
  writeFileSync(results, replaceBetween(existsSync(results) ? readFileSync(results, 'utf8') : '', start, end, section));
  const docs = join(repoRoot, 'docs/benchmarks.md');
  const embedded = readFileSync(results, 'utf8').trim();
  const text = existsSync(docs) ? readFileSync(docs, 'utf8') : '# Benchmarks\n';
  const from = text.indexOf(start);
  writeFileSync(docs, from >= 0 ? `${text.slice(0, from)}${embedded}\n` : `${text.trimEnd()}\n\n${embedded}\n`);
  console.log(`wrote ${results} and the collector section of ${docs}`);
}

/** `text` with the part from `start` to `end` (markers included) replaced by `section`, or `section` first when absent. */
function replaceBetween(text: string, start: string, end: string, section: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) return `${text.slice(0, from)}${section}${text.slice(to + end.length)}`;
  return `${section}\n${text}`;
}
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ steps, overloads }, null, 2));
