import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@sightline/harness';
import { type BenchmarkResult, BUDGET, type Run, type Scenario, type VariantResult } from './benchmark.ts';
import { VARIANT_SPECS, type Variant } from './variants.ts';

// NaN: a run that got no response at all (a starved machine), shown as such rather than as a number.
const f = (value: number, digits = 2) => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
const signed = (value: number, digits = 0) =>
  Number.isNaN(value) ? 'n/a' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
const verdict = (ok: boolean) => (ok ? 'pass' : '**FAIL**');
const loads = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');

/** Below this added CPU a variant costs about nothing, and a ratio against it would only be noise. */
const NOISE_US = 3;

/** "compute, Node v24.22.3": one result's heading. */
export function resultLabel(result: BenchmarkResult): string {
  return `${result.settings.scenario}, Node ${result.machine.node}`;
}

/** Variants of `result` in the order they were configured, with their results. */
function measured(result: BenchmarkResult): VariantResult[] {
  return result.settings.variants.flatMap((v) => {
    const found = result.variants[v];
    return found === undefined ? [] : [found];
  });
}

/**
 * Sightline's added CPU over `other`'s, e.g. "1.08×" (above 1: Sightline costs more). Empty when either was
 * not measured, and a note when the other one adds about nothing.
 */
export function sightlineOver(result: BenchmarkResult, other: Variant): string {
  const sightline = result.variants.sightline;
  const them = result.variants[other];
  if (sightline === undefined || them === undefined || other === 'sightline' || other === 'baseline') return '';
  if (them.addedCpuUs < NOISE_US) return `— (${VARIANT_SPECS[other].label} adds ${signed(them.addedCpuUs)} µs)`;
  return `${f(sightline.addedCpuUs / them.addedCpuUs)}×`;
}

/** The exported telemetry of one variant, per request served, as proof that it exported. */
function exported(v: VariantResult): string {
  if (VARIANT_SPECS[v.variant].receiver !== undefined) {
    const per = (n: number) => f(n / Math.max(1, v.requests));
    return `${per(v.accepted.spans)} spans, ${per(v.accepted.logRecords)} log records per request`;
  }
  if (v.scrapedRequests !== undefined) return `/metrics counted ${v.scrapedRequests} of ${v.requests} requests`;
  return '';
}

/** The summary lines printed to the terminal. */
export function renderSummary(result: BenchmarkResult): string {
  const lines = [
    `${resultLabel(result)} (load average ${loads(result.machine.loadAtStart)} → ${loads(result.machine.loadAtEnd)})`,
  ];
  for (const v of measured(result)) {
    const versus = sightlineOver(result, v.variant);
    lines.push(
      `${v.variant.padEnd(13)} ${f(v.cpuUs, 0).padStart(4)} µs/req (${signed(v.addedCpuUs)}), ${f(v.rps, 0)} req/s (${f(v.throughputRatio, 3)}×), p99@${result.settings.latencyConnections} ${f(v.p99Ms)} ms (${signed(v.addedP99Ms, 2)}), RSS ${f(v.memory.atEnd.rssMb, 1)} MB (${signed(v.addedRssMb, 1)})${versus === '' ? '' : `, Sightline/this added CPU ${versus}`}${exported(v) === '' ? '' : `; ${exported(v)}`}`,
    );
  }
  return lines.join('\n');
}

const SCENARIO_TEXT: Record<Scenario, string> = {
  compute:
    "`GET /users/:id` builds and serialises a small user record with 10 orders (about 50 µs of CPU): no I/O, so an instrumentation's fixed cost per request is compared with almost nothing. The worst case.",
  database:
    "`GET /profiles/:id` does one Redis GET (ioredis) and one PostgreSQL query by primary key (pg, pool of 10), like a Divan API read, so the ioredis and pg instrumentations are on the path too. Redis and PostgreSQL run on the load generator's core.",
};

const ALTERNATIVES: Variant[] = ['otel-auto', 'fastify-otel', 'prom-client', 'otel-floor'];

/** Route × runtime rows, one column per instrumented variant: added CPU and throughput ratio. */
function overviewTable(results: BenchmarkResult[]): string {
  const shown = (['sightline', ...ALTERNATIVES] as Variant[]).filter((v) => results.some((r) => r.variants[v]));
  const header = `| Route | Runtime | baseline CPU µs/req | ${shown.map((v) => VARIANT_SPECS[v].label).join(' | ')} |`;
  const rule = `| --- | --- | --- | ${shown.map(() => '---').join(' | ')} |`;
  const rows = results.map((r) => {
    const base = r.variants.baseline;
    const cells = shown.map((variant) => {
      const v = r.variants[variant];
      return v === undefined
        ? ''
        : `${signed(v.addedCpuUs)} µs (${f(v.throughputRatio)}× req/s, ${f(v.cpuRatio)}× CPU)`;
    });
    return `| ${r.settings.scenario} | Node ${r.machine.node} | ${base === undefined ? '' : f(base.cpuUs, 0)} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}

/** Route × runtime rows: Sightline's added CPU over each alternative's, and the other figures side by side. */
function versusTable(results: BenchmarkResult[]): string {
  const shown = ALTERNATIVES.filter((v) => results.some((r) => r.variants[v]));
  const header = `| Route | Runtime | ${shown.map((v) => `Sightline / ${VARIANT_SPECS[v].label}`).join(' | ')} | added p99 on 1 connection: ${['sightline', ...shown].map((v) => VARIANT_SPECS[v as Variant].label).join(' / ')} | added RSS MB: same order |`;
  const rule = `| --- | --- | ${shown.map(() => '---').join(' | ')} | --- | --- |`;
  const rows = results.map((r) => {
    const order = (['sightline', ...shown] as Variant[]).map((v) => r.variants[v]);
    const list = (pick: (v: VariantResult) => string) =>
      order.map((v) => (v === undefined ? '–' : pick(v))).join(' / ');
    return `| ${r.settings.scenario} | Node ${r.machine.node} | ${shown.map((v) => sightlineOver(r, v)).join(' | ')} | ${list((v) => `${signed(v.addedP99Ms, 2)} ms`)} | ${list((v) => signed(v.addedRssMb, 0))} |`;
  });
  return [header, rule, ...rows].join('\n');
}

function budgetTable(results: BenchmarkResult[]): string {
  const judged = results.filter((r) => r.variants.sightline !== undefined);
  const header = `| Budget | Limit | ${judged.map(resultLabel).join(' | ')} |`;
  const rule = `| --- | --- | ${judged.map(() => '---').join(' | ')} |`;
  const latencyConnections = judged[0]?.settings.latencyConnections ?? 1;
  const cells = (render: (s: VariantResult, b: VariantResult, r: BenchmarkResult) => string) =>
    judged
      .map((r) => {
        const s = r.variants.sightline as VariantResult;
        const b = r.variants.baseline as VariantResult;
        return render(s, b, r);
      })
      .join(' | ');
  const rows = [
    `| Throughput ratio (Sightline / baseline, median req/s at saturation) | >= ${BUDGET.minThroughputRatio} | ${cells(
      (s, b, r) => `${f(s.throughputRatio, 3)} (${f(s.rps, 0)} / ${f(b.rps, 0)} req/s) ${verdict(r.pass.throughput)}`,
    )} |`,
    `| Added p99 on ${latencyConnections} connection(s), median of rounds | < ${BUDGET.maxAddedP99Ms} ms | ${cells(
      (s, b, r) => `${f(s.addedP99Ms)} ms (${f(s.p99Ms)} vs ${f(b.p99Ms)} ms) ${verdict(r.pass.p99)}`,
    )} |`,
    `| Added RSS after all rounds | < ${BUDGET.maxAddedRssMb} MB | ${cells(
      (s, b, r) =>
        `${f(s.addedRssMb, 1)} MB (${f(s.memory.atEnd.rssMb, 1)} vs ${f(b.memory.atEnd.rssMb, 1)} MB) ${verdict(r.pass.rss)}`,
    )} |`,
    `| Added CPU per request, at most half of OTel auto-instrumentation's | Sightline / OTel auto <= 0.5 | ${judged
      .map((r) => {
        const ratio = sightlineOver(r, 'otel-auto');
        const value = Number.parseFloat(ratio);
        return ratio === '' ? '–' : `${ratio} ${Number.isFinite(value) ? verdict(value <= 0.5) : ''}`;
      })
      .join(' | ')} |`,
    `| *No budget:* added p99 at saturation (queueing) | | ${cells((s) => `${f(s.addedSaturationP99Ms)} ms`)} |`,
  ];
  return [header, rule, ...rows].join('\n');
}

function variantTable(result: BenchmarkResult): string {
  const latency = `${result.settings.latencyConnections} connection(s)`;
  const header = `| Variant | CPU µs/req | added CPU µs | Sightline's added CPU / this one's | req/s | throughput ratio | p99 on ${latency} ms | added p99 ms | RSS at end MB | added RSS MB | exported |`;
  const rule = '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |';
  const rows = measured(result).map((v) => {
    const isBase = v.variant === 'baseline';
    return `| ${VARIANT_SPECS[v.variant].label} | ${f(v.cpuUs, 0)} | ${isBase ? '' : signed(v.addedCpuUs)} | ${sightlineOver(result, v.variant)} | ${f(v.rps, 0)} | ${isBase ? '' : f(v.throughputRatio, 3)} | ${f(v.p99Ms)} | ${isBase ? '' : signed(v.addedP99Ms, 2)} | ${f(v.memory.atEnd.rssMb, 1)} | ${isBase ? '' : signed(v.addedRssMb, 1)} | ${exported(v)} |`;
  });
  return [header, rule, ...rows].join('\n');
}

function runRow(run: Run): string {
  return `| ${run.round} | ${run.variant} | ${run.phase} | ${f(run.rps, 0)} | ${f(run.p50Ms)} | ${f(run.p99Ms)} | ${f(run.cpuUsPerRequest, 0)} | ${run.errors} | ${run.non2xx} |`;
}

function resultDetails(result: BenchmarkResult): string {
  return `### ${resultLabel(result)}

${SCENARIO_TEXT[result.settings.scenario]}

From ${result.startedAt.toISOString()} to ${result.finishedAt.toISOString()}; load average (1 / 5 / 15 min)
${loads(result.machine.loadAtStart)} at the start, ${loads(result.machine.loadAtEnd)} at the end.

${variantTable(result)}
`;
}

function rawRounds(result: BenchmarkResult): string {
  return `### ${resultLabel(result)}

| Round | Variant | Phase | req/s | p50 ms | p99 ms | CPU µs/req | errors | non-2xx |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${result.runs.map(runRow).join('\n')}

| Variant | RSS after warm-up MB | RSS at end MB | Peak RSS MB | requests served | spans / metric points / log records accepted |
| --- | --- | --- | --- | --- | --- |
${measured(result)
  .map(
    (v) =>
      `| ${v.variant} | ${f(v.memory.afterWarmup.rssMb, 1)} | ${f(v.memory.atEnd.rssMb, 1)} | ${f(v.memory.atEnd.hwmMb, 1)} | ${v.requests} | ${VARIANT_SPECS[v.variant].receiver === undefined ? '' : `${v.accepted.spans} / ${v.accepted.metricPoints} / ${v.accepted.logRecords}`} |`,
  )
  .join('\n')}
`;
}

/** The hand-measured CPU breakdown (bench/cpu-breakdown.md), shown next to the generated numbers. */
function breakdown(): string {
  const path = join(repoRoot, 'bench/cpu-breakdown.md');
  const more =
    'CPU profiles by package, what was tuned with before/after numbers, and the memory analysis: [bench/README.md](../bench/README.md).';
  return existsSync(path) ? `${readFileSync(path, 'utf8').trim()}\n\n${more}` : more;
}

/**
 * The collector's benchmark (bench/collector-results.md, written by `npm run bench:collector -- --write`),
 * kept at the end of this report so a run of `npm run bench` does not drop it.
 */
function collectorResults(): string {
  const path = join(repoRoot, 'bench/collector-results.md');
  return existsSync(path) ? `\n${readFileSync(path, 'utf8').trim()}\n` : '';
}

/** Where the run came from, for the report's header. */
export interface RunContext {
  /** `git rev-parse --short HEAD` and whether packages/node had uncommitted changes. */
  commit?: string;
  /** When packages/node/dist was built: the SDK build the Sightline variant loaded. */
  sdkBuiltAt?: string;
}

/** docs/benchmarks.md, regenerated from one run of `npm run bench` (one result per runtime and scenario). */
export function renderMarkdown(results: BenchmarkResult[], context: RunContext = {}): string {
  const first = results[0];
  const last = results.at(-1);
  if (first === undefined || last === undefined) {
    throw new Error('renderMarkdown: expected at least one result, received none');
  }
  const { settings, machine } = first;
  const runtimes = [...new Set(results.map((r) => r.machine.node))];
  const allPass = results.every((r) => r.pass.all);
  const pinning = machine.pinning
    ? `Servers pinned to CPU ${machine.pinning.serverCpus}; load generator (autocannon), collector, Redis and PostgreSQL pinned to CPU ${machine.pinning.otherCpus}`
    : 'Not pinned (taskset missing or a single core)';
  // What one runtime and route took in this run, for the run-time note below (the default run has 4).
  const perResultMin =
    results.reduce((sum, r) => sum + (r.finishedAt.getTime() - r.startedAt.getTime()), 0) / results.length / 60_000;
  const variantList = settings.variants
    .map((v) => `- **${VARIANT_SPECS[v].label}** (\`${v}\`): ${VARIANT_SPECS[v].description}.`)
    .join('\n');
  return `# Benchmarks

<!-- Generated by \`npm run bench\` (bench/run.ts). Do not edit by hand: run it again. -->

The same Fastify 5 service (bench/server.ts) run ${settings.variants.length} ways side by side, in alternating
rounds of one run, on ${runtimes.length === 1 ? `one runtime (Node.js ${runtimes[0]})` : `${runtimes.length} runtimes (Node.js ${runtimes.join(' and ')})`}:

${variantList}

Run on ${first.startedAt.toISOString().slice(0, 10)}, from ${first.startedAt.toISOString()} to ${last.finishedAt.toISOString()}${
    context.commit === undefined ? '' : `, at commit ${context.commit}`
  }${context.sdkBuiltAt === undefined ? '' : ` with the SDK build of ${context.sdkBuiltAt}`}. **Machine load average** (1 / 5 / 15 min, ${machine.cores} cores shared with other sessions): ${loads(first.machine.loadAtStart)}
at the start, ${loads(last.machine.loadAtEnd)} at the end (each runtime and route below gives its own). On a
loaded machine absolute figures move by tens of percent; the variants of one run share the noise, so compare
them with each other, not with other runs.

## Against the alternatives

Added server CPU per request at saturation over the uninstrumented baseline (the primary figure: median of
${settings.rounds} alternating rounds), with the throughput ratio (req/s over the baseline's) and the CPU ratio
(baseline CPU / this variant's CPU: the throughput ratio on a core of its own, far less noisy):

${overviewTable(results)}

Sightline's added CPU over each alternative's (above 1: Sightline costs more; the target is at most 0.5 against
OTel auto-instrumentation), and the added p99 and RSS of each variant over the baseline:

${versusTable(results)}

## Sightline's budget: ${allPass ? 'met' : '**missed**'}

${budgetTable(results)}

CPU per request is the server's user + system time (from /proc/<pid>/stat) over a saturation run divided by the
requests it served. Latency at saturation is queueing (connections / throughput) and only restates the throughput
loss, so the latency budget is judged on ${settings.latencyConnections} connection(s), where latency is the service time of one request.

## Each runtime and route

${results.map(resultDetails).join('\n')}
"exported" counts what the collector accepted from the variant's own OTLP receiver over the whole scenario
(warm-up included), per request served: proof that the variant really exported, and how many spans each request
makes. prom-client exports nothing: its \`/metrics\` is scraped once at the end instead.

## Where Sightline's CPU goes

${breakdown()}

## Setup

- ${machine.cores} cores (${machine.cpuModel}). ${pinning}. Every server shares one core, loaded one at a time;
  the other core runs the load generator, the collector and the databases. Absolute numbers are therefore low
  and noisy; the ratios between variants, measured in alternating rounds, are what to compare.
- Service (bench/server.ts): Fastify 5. Every scenario also has \`POST /orders\` (sums a JSON body, logs one line at
  info); the request mix is 3 reads for every order. Every variant logs through pino to an asynchronous stdout
  that goes to /dev/null; Fastify's own request logging is off.
- Sightline: ${
    Object.keys(settings.sdkEnv).length === 0
      ? 'no extra SDK env'
      : `extra SDK env \`${Object.entries(settings.sdkEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}\``
  }, otherwise every default of the SDK, \`NODE_ENV=production\`. The OpenTelemetry variants use NodeSDK's
  defaults (batch processors with 512-span batches every 5 s, resource detection) except the metric export
  interval, 15 s like Sightline's. Collector (bench/collector.yaml): one OTLP/gRPC receiver per exporting variant,
  batch processor, file exporter (binary protobuf to a rotating temp file).
- Load: autocannon (programmatic, in the runner's process), loopback only. ${settings.warmupSec} s warm-up per variant at
  ${settings.connections} connections, then ${settings.rounds} rounds, each in a different variant order; per round and variant a
  saturation run (${settings.connections} connections, ${settings.durationSec} s) and a latency run (${settings.latencyConnections} connection(s), ${settings.latencyDurationSec} s).
  Latency percentiles are exact, from every response time.
- RSS: VmRSS of the server process from /proc after warm-up and after the last round.

## Raw rounds

${results.map(rawRounds).join('\n')}
## Run it

\`\`\`sh
npm run build -w @sightline/node   # the benchmark loads the built SDK (npm run bench does this too)
npm run bench                      # both routes on Node 24 and 22 (${f(perResultMin, 1)} min per runtime and route in this run); rewrites this file
npm run bench -- --runtimes 24 --scenario database --rounds 5   # one runtime and route, steadier
npm run bench -- --node /path/to/bin/node   # servers on another node binary (repeatable)
npm run bench -- --variants baseline,sightline,otel-auto   # fewer variants
npm run bench -- --env OBS_DISABLED_INSTRUMENTATIONS=undici   # try a Sightline setting
npm run bench:smoke                # 1 short round of every variant, proves the harness works; writes nothing
\`\`\`
${collectorResults()}`;
}
