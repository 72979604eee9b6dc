import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@sightline/harness';
import { type BenchmarkResult, BUDGET, type Run, type Scenario } from './benchmark.ts';

const f = (value: number, digits = 2) => value.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'pass' : '**FAIL**');

function runRow(run: Run): string {
  return `| ${run.round} | ${run.variant} | ${run.phase} | ${f(run.rps, 0)} | ${f(run.p50Ms)} | ${f(run.p99Ms)} | ${f(run.cpuUsPerRequest, 0)} | ${run.errors} | ${run.non2xx} |`;
}

/** The summary lines printed to the terminal. */
export function renderSummary(result: BenchmarkResult): string {
  const { summary: s, pass } = result;
  return [
    `scenario ${result.settings.scenario}`,
    `throughput  baseline ${f(s.baselineRps, 0)} req/s, instrumented ${f(s.instrumentedRps, 0)} req/s, ratio ${f(s.throughputRatio, 3)} (budget >= ${BUDGET.minThroughputRatio}) ${pass.throughput ? 'pass' : 'FAIL'}`,
    `p99 @ ${result.settings.latencyConnections} connection(s)  baseline ${f(s.baselineP99Ms)} ms, instrumented ${f(s.instrumentedP99Ms)} ms, added ${f(s.addedP99Ms)} ms (budget < ${BUDGET.maxAddedP99Ms}) ${pass.p99 ? 'pass' : 'FAIL'}`,
    `RSS  baseline ${f(result.memory.baseline.atEnd.rssMb, 1)} MB, instrumented ${f(result.memory.instrumented.atEnd.rssMb, 1)} MB, added ${f(s.addedRssMb, 1)} MB (budget < ${BUDGET.maxAddedRssMb}) ${pass.rss ? 'pass' : 'FAIL'}`,
    `CPU per request  baseline ${f(s.baselineCpuUs, 0)} µs, instrumented ${f(s.instrumentedCpuUs, 0)} µs, ratio ${f(s.cpuRatio, 3)}`,
    `collector accepted ${result.accepted.spans} spans, ${result.accepted.metricPoints} metric points, ${result.accepted.logRecords} log records`,
  ].join('\n');
}

const SCENARIO_TEXT: Record<Scenario, string> = {
  compute:
    "`GET /users/:id` builds and serialises a small user record with 10 orders (about 50 µs of CPU): no I/O, so the SDK's fixed cost per request is compared with almost nothing. The worst case.",
  database:
    "`GET /profiles/:id` does one Redis GET (ioredis) and one PostgreSQL query by primary key (pg, pool of 10), like a Divan API read, so the ioredis and pg spans are on the path too. Redis and PostgreSQL run on the load generator's core.",
};

function cell(ok: boolean, text: string): string {
  return `${text} ${verdict(ok)}`;
}

function budgetTable(results: BenchmarkResult[]): string {
  const header = `| Budget | Limit | ${results.map((r) => r.settings.scenario).join(' | ')} |`;
  const rule = `| --- | --- | ${results.map(() => '---').join(' | ')} |`;
  const latencyConnections = results[0]?.settings.latencyConnections ?? 1;
  const rows = [
    `| Throughput ratio (instrumented / baseline, median req/s at saturation) | >= ${BUDGET.minThroughputRatio} | ${results
      .map((r) =>
        cell(
          r.pass.throughput,
          `${f(r.summary.throughputRatio, 3)} (${f(r.summary.instrumentedRps, 0)} / ${f(r.summary.baselineRps, 0)} req/s)`,
        ),
      )
      .join(' | ')} |`,
    `| Added p99 on ${latencyConnections} connection(s), median of rounds | < ${BUDGET.maxAddedP99Ms} ms | ${results
      .map((r) =>
        cell(
          r.pass.p99,
          `${f(r.summary.addedP99Ms)} ms (${f(r.summary.instrumentedP99Ms)} vs ${f(r.summary.baselineP99Ms)} ms)`,
        ),
      )
      .join(' | ')} |`,
    `| Added RSS after all rounds | < ${BUDGET.maxAddedRssMb} MB | ${results
      .map((r) =>
        cell(
          r.pass.rss,
          `${f(r.summary.addedRssMb, 1)} MB (${f(r.memory.instrumented.atEnd.rssMb, 1)} vs ${f(r.memory.baseline.atEnd.rssMb, 1)} MB)`,
        ),
      )
      .join(' | ')} |`,
    `| *No budget:* server CPU per request at saturation, baseline → instrumented (ratio) | | ${results
      .map(
        (r) =>
          `${f(r.summary.baselineCpuUs, 0)} → ${f(r.summary.instrumentedCpuUs, 0)} µs (${f(r.summary.cpuRatio, 3)})`,
      )
      .join(' | ')} |`,
    `| *No budget:* added p99 at saturation (queueing) | | ${results.map((r) => `${f(r.summary.addedSaturationP99Ms)} ms`).join(' | ')} |`,
  ];
  return [header, rule, ...rows].join('\n');
}

function plainVerdict(result: BenchmarkResult): string {
  const lines = [
    ['throughput', result.pass.throughput],
    ['added p99', result.pass.p99],
    ['added RSS', result.pass.rss],
  ] as const;
  const passed = lines.filter(([, ok]) => ok).map(([name]) => name);
  const failed = lines.filter(([, ok]) => !ok).map(([name]) => name);
  return `- **${result.settings.scenario}**: ${passed.length > 0 ? `passes ${passed.join(', ')}` : 'passes nothing'}${
    failed.length > 0 ? `; **fails ${failed.join(', ')}**` : ''
  }.`;
}

function scenarioDetails(result: BenchmarkResult): string {
  const { settings, memory } = result;
  return `### Scenario \`${settings.scenario}\`

${SCENARIO_TEXT[settings.scenario]}

The collector accepted ${result.accepted.spans} spans, ${result.accepted.metricPoints} metric points and
${result.accepted.logRecords} log records during this scenario, so the export cost is real. Run started ${result.startedAt.toISOString()}.

| Round | Variant | Phase | req/s | p50 ms | p99 ms | CPU µs/req | errors | non-2xx |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${result.runs.map(runRow).join('\n')}

| Variant | RSS after warm-up MB | RSS at end MB | Peak RSS MB |
| --- | --- | --- | --- |
| baseline | ${f(memory.baseline.afterWarmup.rssMb, 1)} | ${f(memory.baseline.atEnd.rssMb, 1)} | ${f(memory.baseline.atEnd.hwmMb, 1)} |
| instrumented | ${f(memory.instrumented.afterWarmup.rssMb, 1)} | ${f(memory.instrumented.atEnd.rssMb, 1)} | ${f(memory.instrumented.atEnd.hwmMb, 1)} |
`;
}

/** The hand-measured CPU breakdown (bench/cpu-breakdown.md), shown next to the generated numbers. */
function breakdown(): string {
  const path = join(repoRoot, 'bench/cpu-breakdown.md');
  const more =
    'CPU profiles by package, what was tuned with before/after numbers, and the memory analysis: [bench/README.md](../bench/README.md).';
  return existsSync(path) ? `${readFileSync(path, 'utf8').trim()}\n\n${more}` : more;
}

/** docs/benchmarks.md, regenerated from one run of `npm run bench` (one result per scenario). */
export function renderMarkdown(results: BenchmarkResult[]): string {
  const first = results[0];
  if (first === undefined) throw new Error('renderMarkdown: expected at least one result, received none');
  const { settings, machine } = first;
  const allPass = results.every((r) => r.pass.all);
  const pinning = machine.pinning
    ? `server pinned to CPU ${machine.pinning.serverCpus}; load generator (autocannon), collector, Redis and PostgreSQL pinned to CPU ${machine.pinning.otherCpus}`
    : 'not pinned (taskset missing or a single core)';
  const minutes = Math.ceil(
    (results.length * (2 * settings.warmupSec + 4 * settings.rounds * settings.durationSec + 30)) / 60,
  );
  return `# Benchmarks

<!-- Generated by \`npm run bench\` (bench/run.ts). Do not edit by hand: run it again. -->

Overhead of \`@sightline/node\` with **every signal on** (traces, metrics, logs, exported by OTLP/gRPC to a real
collector), against the same Fastify 5 service without the SDK, in ${results.length} scenario(s) side by side.
Runtime: **Node.js ${machine.node}** (both variants, the same binary).

## Result: ${allPass ? 'within budget' : '**budget missed**'}

${budgetTable(results)}

${results.map(plainVerdict).join('\n')}

CPU per request is the server's user + system time over a run divided by the requests it served. It is the
throughput ratio the service would see on a core of its own and is far less sensitive than req/s to other
load on this shared machine, so read it next to the throughput ratio. Latency at saturation is queueing
(connections / throughput) and only restates the throughput loss, so the latency budget is judged on
${settings.latencyConnections} connection(s), where latency is the service time of one request.

## Where the CPU goes

${breakdown()}

## Setup

- Node ${machine.node}, ${machine.cores} cores (${machine.cpuModel}).
- ${pinning}. The machine has only ${machine.cores} cores, shared by the server, the load generator, the collector
  and whatever else runs; absolute numbers are therefore low and noisy, and only the ratios between the two
  variants, measured in alternating rounds, are meant to be compared.
- Service (bench/server.ts): Fastify 5. Every scenario also has \`POST /orders\` (sums a JSON body, logs one line at
  info); the request mix is 3 reads for every order. Both variants log through pino to an asynchronous stdout that
  goes to /dev/null; Fastify's own request logging is off in both.
- Instrumented: \`node --import @sightline/node/register\`, \`sightlineFastify\` plugin and the Sightline logger,
  \`NODE_ENV=production\`, ${
    Object.keys(settings.sdkEnv).length === 0
      ? 'no extra SDK env'
      : `extra SDK env \`${Object.entries(settings.sdkEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}\``
  }, otherwise every default of the SDK (all instrumentations, metric export every 15 s, info logs
  sampled 1 in 10 above 100 req/s, batch span/log processors). Collector (bench/collector.yaml): OTLP/gRPC receiver,
  batch processor, file exporter (binary protobuf to a rotating temp file).
- Load: autocannon (programmatic, in the runner's process), loopback only. ${settings.warmupSec} s warm-up per variant,
  then ${settings.rounds} rounds alternating which variant goes first; per round and variant a saturation run
  (${settings.connections} connections, ${settings.durationSec} s) and a latency run (${settings.latencyConnections} connection(s),
  ${settings.durationSec} s). Latency percentiles are exact, from every response time.
- RSS: VmRSS of the server process from /proc after warm-up and after the last round.

## Raw rounds

${results.map(scenarioDetails).join('\n')}
## Run it

\`\`\`sh
npm run build -w @sightline/node   # the benchmark loads the built SDK
npm run bench                      # both scenarios, about ${minutes} min; rewrites this file
npm run bench -- --scenario database --rounds 8 --duration 10   # one scenario, longer, steadier
npm run bench -- --env OBS_DISABLED_INSTRUMENTATIONS=undici   # try an SDK setting
npm run bench:smoke                # 1 short round, proves the harness works; writes nothing
\`\`\`
`;
}
