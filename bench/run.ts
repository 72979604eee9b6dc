/**
 * `npm run bench`: measures the service uninstrumented, with @sightline/node and with the alternatives
 * (OpenTelemetry auto-instrumentation, @fastify/otel, prom-client) side by side, on each runtime and route,
 * prints a summary and rewrites docs/benchmarks.md. Not part of the test suite (it takes minutes).
 */
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, waitFor } from '@sightline/harness';
import { type BenchmarkResult, runBenchmark, SCENARIOS, type Scenario } from './lib/benchmark.ts';
import { renderMarkdown, renderSummary } from './lib/report.ts';
import { resolveRuntime } from './lib/runtimes.ts';
import { VARIANTS, type Variant } from './lib/variants.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    runtimes: { type: 'string', default: '24,22' },
    node: { type: 'string', multiple: true, default: [] },
    variants: { type: 'string', default: VARIANTS.join(',') },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    'latency-duration': { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'latency-connections': { type: 'string', default: '1' },
    env: { type: 'string', multiple: true, default: [] },
    'no-pin': { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/benchmarks.md' },
    'max-load': { type: 'string' },
    'max-load-wait': { type: 'string', default: '120' },
    'no-write': { type: 'boolean', default: false },
  },
});

function positive(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`--${name}: expected a positive number, received ${JSON.stringify(raw)}`);
  }
  return value;
}

// --env KEY=VALUE (repeatable) tries an SDK setting on the Sightline variant.
const sdkEnv: Record<string, string> = {};
for (const pair of values.env ?? []) {
  const at = pair.indexOf('=');
  if (at <= 0) throw new Error(`--env: expected KEY=VALUE, received ${JSON.stringify(pair)}`);
  sdkEnv[pair.slice(0, at)] = pair.slice(at + 1);
}

const scenario = values.scenario ?? 'all';
if (scenario !== 'all' && !SCENARIOS.includes(scenario as Scenario)) {
  throw new Error(`--scenario: expected all, ${SCENARIOS.join(' or ')}, received ${JSON.stringify(scenario)}`);
}
const scenarios = scenario === 'all' ? SCENARIOS : [scenario as Scenario];

const variants = (values.variants ?? '').split(',').filter((v) => v !== '');
for (const variant of variants) {
  if (!VARIANTS.includes(variant as Variant)) {
    throw new Error(`--variants: expected a list of ${VARIANTS.join(', ')}, received ${JSON.stringify(variant)}`);
  }
}

// --node <path> (repeatable) wins over --runtimes.
const nodes =
  (values.node ?? []).length > 0
    ? (values.node ?? [])
    : (values.runtimes ?? '')
        .split(',')
        .filter((entry) => entry !== '')
        .map((entry) => resolveRuntime(entry));

function commit(): string | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'packages/node') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (with uncommitted changes in packages/node)' : ''}`;
  } catch {
    return undefined;
  }
}

/**
 * With --max-load N: before each runtime and route, wait (up to --max-load-wait seconds) for the 1-minute load
 * average to drop to N, so a shared machine's busiest minutes can pass. It goes ahead either way; the report
 * gives the load average at the start and end of each runtime and route.
 */
async function waitForQuieterMachine(): Promise<void> {
  if (values['max-load'] === undefined) return;
  const maxLoad = positive('max-load', values['max-load']);
  const waitSec = positive('max-load-wait', values['max-load-wait']);
  const quiet = await waitFor(() => (loadavg()[0] ?? 0) <= maxLoad, {
    what: `1-minute load average <= ${maxLoad}`,
    timeoutMs: waitSec * 1000,
    intervalMs: 5_000,
  }).catch(() => false);
  console.log(
    `load average ${(loadavg()[0] ?? 0).toFixed(2)}${quiet ? '' : ` (still above ${maxLoad} after ${waitSec} s)`}`,
  );
}

// Which SDK build the Sightline variant loaded: the shared tree's dist may be newer than the last commit.
function sdkBuiltAt(): string | undefined {
  try {
    return statSync(join(repoRoot, 'packages/node/dist/register.js')).mtime.toISOString();
  } catch {
    return undefined;
  }
}

const runContext = { commit: commit(), sdkBuiltAt: sdkBuiltAt() };
console.log(
  `load average at start: ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' / ')}`,
);
const results: BenchmarkResult[] = [];
for (const node of nodes) {
  for (const each of scenarios) {
    console.log(`\n== ${each} on ${node}`);
    await waitForQuieterMachine();
    const result = await runBenchmark({
      scenario: each,
      variants: variants as Variant[],
      node,
      sdkEnv,
      rounds: positive('rounds', values.rounds),
      durationSec: positive('duration', values.duration),
      latencyDurationSec: positive('latency-duration', values['latency-duration']),
      warmupSec: positive('warmup', values.warmup),
      connections: positive('connections', values.connections),
      latencyConnections: positive('latency-connections', values['latency-connections']),
      pin: !values['no-pin'],
      log: (line) => console.log(line),
    });
    console.log(`\n${renderSummary(result)}`);
    results.push(result);
  }
}
console.log(
  `load average at end: ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' / ')}`,
);
if (!values['no-write']) {
  const path = resolve(repoRoot, values.out ?? 'docs/benchmarks.md');
  writeFileSync(path, renderMarkdown(results, runContext));
  console.log(`wrote ${path}`);
}
// A missed budget is a finding to read, not a crash: exit 0 either way, but say it.
const judged = results.filter((r) => r.variants.sightline !== undefined);
console.log(
  judged.length === 0 ? 'Sightline not measured' : judged.every((r) => r.pass.all) ? 'within budget' : 'BUDGET MISSED',
);
