/**
 * `npm run bench`: measures the overhead of @sightline/node against the uninstrumented baseline,
 * prints a summary and rewrites docs/benchmarks.md. Not part of the test suite (it takes minutes).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@sightline/harness';
import { type BenchmarkResult, runBenchmark, SCENARIOS, type Scenario } from './lib/benchmark.ts';
import { renderMarkdown, renderSummary } from './lib/report.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    'latency-connections': { type: 'string', default: '1' },
    env: { type: 'string', multiple: true, default: [] },
    'no-pin': { type: 'boolean', default: false },
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

// --env KEY=VALUE (repeatable) tries an SDK setting on the instrumented variant.
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

const results: BenchmarkResult[] = [];
for (const each of scenarios) {
  console.log(`\n== scenario ${each}`);
  const result = await runBenchmark({
    scenario: each,
    sdkEnv,
    rounds: positive('rounds', values.rounds),
    durationSec: positive('duration', values.duration),
    warmupSec: positive('warmup', values.warmup),
    connections: positive('connections', values.connections),
    latencyConnections: positive('latency-connections', values['latency-connections']),
    pin: !values['no-pin'],
    log: (line) => console.log(line),
  });
  console.log(`\n${renderSummary(result)}`);
  results.push(result);
}
if (!values['no-write']) {
  const path = join(repoRoot, 'docs/benchmarks.md');
  writeFileSync(path, renderMarkdown(results));
  console.log(`wrote ${path}`);
}
// A missed budget is a finding to read, not a crash: exit 0 either way, but say it.
console.log(results.every((r) => r.pass.all) ? 'within budget' : 'BUDGET MISSED');
