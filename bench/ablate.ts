/**
 * `npm run bench:ablate`: where the instrumented server's CPU goes. Starts the server once per step, each
 * step switching on one more part of the SDK (plugin and logger only, then the instrumentations with no
 * signal, then metrics, traces and log export), and measures server CPU µs per request at saturation.
 * The difference between two steps is the cost of what the later one added. Writes bench/cpu-breakdown.md,
 * which `npm run bench` embeds in docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@sightline/harness';
import { SCENARIOS, type Scenario, startScenario } from './lib/benchmark.ts';
import { startBenchCollector } from './lib/collector.ts';
import { runLoad } from './lib/load.ts';
import { pinLoadGenerator, readCpuSeconds, readMemory, startServer, type Variant } from './lib/servers.ts';
import { median } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '4' },
    duration: { type: 'string', default: '3' },
    /** Seconds of load before the measured runs: JIT and heap settle in the first seconds. @default 2 */
    warmup: { type: 'string', default: '2' },
    'no-write': { type: 'boolean', default: false },
    /** Only this scenario (compute or database). @default both */
    scenario: { type: 'string' },
    /** Only these steps, by 0-based index, comma-separated (e.g. `0,5`); implies --no-write. @default every step */
    steps: { type: 'string' },
    /** Repeat the chosen steps this many times, interleaved (A/B/A/B), to see drift on a shared machine. @default 1 */
    rounds: { type: 'string', default: '1' },
    /** Adds step 6: every default plus these SDK env settings (`K=V,K2=V2`), for an A/B against step 5. */
    'with-env': { type: 'string' },
    /** Write a V8 CPU profile of each server into this directory (`node --cpu-prof`). */
    profile: { type: 'string' },
  },
});
const runs = Number(values.runs);
const durationSec = Number(values.duration);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs: expected a positive integer, received ${values.runs}`);
if (!(durationSec > 0)) throw new Error(`--duration: expected a positive number, received ${values.duration}`);
const warmupSec = Number(values.warmup);
if (!(warmupSec >= 0)) throw new Error(`--warmup: expected a number of seconds, received ${values.warmup}`);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds: expected a positive integer, received ${values.rounds}`);
if (values.scenario !== undefined && !(SCENARIOS as readonly string[]).includes(values.scenario))
  throw new Error(`--scenario: expected one of ${SCENARIOS.join(', ')}, received ${values.scenario}`);

const OFF = { OBS_TRACING_ENABLED: 'false', OBS_METRICS_ENABLED: 'false', OBS_LOGS_ENABLED: 'false' };
const EVERY_INSTRUMENTATION = 'http,undici,pg,redis,ioredis,socketio,runtime,express';

interface Step {
  name: string;
  variant: Variant;
  env: Record<string, string>;
}

/** Each step adds one part to the one before, so consecutive differences add up to the whole overhead. */
const STEPS: Step[] = [
  { name: 'baseline (no SDK)', variant: 'baseline', env: {} },
  {
    name: 'SDK: plugin, request log line, logger; no signal, no instrumentation',
    variant: 'sightline',
    env: { ...OFF, OBS_DISABLED_INSTRUMENTATIONS: EVERY_INSTRUMENTATION },
  },
  { name: '+ every instrumentation, no signal (no-op providers)', variant: 'sightline', env: OFF },
  {
    name: '+ metrics',
    variant: 'sightline',
    env: { OBS_TRACING_ENABLED: 'false', OBS_LOGS_ENABLED: 'false' },
  },
  { name: '+ traces', variant: 'sightline', env: { OBS_LOGS_ENABLED: 'false' } },
  { name: '+ log export = every default, all signals on', variant: 'sightline', env: {} },
];

if (values['with-env'] !== undefined) {
  const env = Object.fromEntries(
    values['with-env'].split(',').map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--with-env: expected KEY=VALUE pairs, received ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  STEPS.push({ name: `every default + ${values['with-env']}`, variant: 'sightline', env });
}

function chosenSteps(): Step[] {
  if (values.steps === undefined) return STEPS;
  return values.steps.split(',').map((index) => {
    const step = STEPS[Number(index)];
    if (step === undefined) throw new Error(`--steps: expected indices 0-${STEPS.length - 1}, received ${index}`);
    return step;
  });
}
const steps = Array.from({ length: rounds }, chosenSteps).flat();
const partial = values.steps !== undefined || values.scenario !== undefined || rounds > 1;

interface Measured {
  step: Step;
  cpuUs: number;
  runsUs: number[];
  rssMb: number;
}

async function measure(scenario: Scenario): Promise<Measured[]> {
  const pinning = pinLoadGenerator();
  const collector = await startBenchCollector('ablate-collector');
  const services = await startScenario(scenario);
  const measured: Measured[] = [];
  try {
    for (const step of steps) {
      const server = await startServer({
        nodeArgs: values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`],
        variant: step.variant,
        otlpEndpoint: collector.endpointOf(step.variant),
        pinning,
        sdkEnv: step.env,
        serviceEnv: services.serviceEnv,
      });
      try {
        const load = { url: server.url, connections: 50, durationSec, requests: services.requests };
        if (warmupSec > 0) await runLoad({ ...load, durationSec: warmupSec });
        const runsUs: number[] = [];
        for (let i = 0; i < runs; i++) {
          const before = readCpuSeconds(server.pid);
          const result = await runLoad(load);
          runsUs.push(((readCpuSeconds(server.pid) - before) * 1e6) / Math.max(1, result.requests));
        }
        const row = { step, cpuUs: median(runsUs), runsUs, rssMb: readMemory(server.pid).rssMb };
        console.log(`${scenario} | ${step.name}: ${row.cpuUs.toFixed(0)} µs/req, RSS ${row.rssMb.toFixed(0)} MB`);
        measured.push(row);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await services.stop();
    await collector.stop();
  }
  return measured;
}

function table(scenario: Scenario, rows: Measured[]): string {
  const lines = [
    `**${scenario}** scenario`,
    '',
    '| Step | CPU µs/req (median) | added by this step | runs | RSS MB |',
    '| --- | --- | --- | --- | --- |',
  ];
  rows.forEach((row, i) => {
    const previous = rows[i - 1];
    const added =
      previous === undefined
        ? ''
        : `${row.cpuUs - previous.cpuUs >= 0 ? '+' : ''}${(row.cpuUs - previous.cpuUs).toFixed(0)}`;
    lines.push(
      `| ${row.step.name} | ${row.cpuUs.toFixed(0)} | ${added} | ${row.runsUs.map((x) => x.toFixed(0)).join(', ')} | ${row.rssMb.toFixed(0)} |`,
    );
  });
  return lines.join('\n');
}

const sections: string[] = [];
for (const scenario of SCENARIOS.filter((s) => values.scenario === undefined || s === values.scenario))
  sections.push(table(scenario, await measure(scenario)));
const markdown = `<!-- Generated by \`npm run bench:ablate\` (bench/ablate.ts) on ${new Date().toISOString()}. -->

Measured by \`npm run bench:ablate\`: one server per step, each step switching on one more part of the SDK,
${runs} runs of ${durationSec} s at 50 connections after a ${warmupSec} s warm-up; server CPU per request, median of the runs.
Consecutive differences are only as good as the spread of the runs (runs column) on this shared machine.

${sections.join('\n\n')}
`;
console.log(`\n${markdown}`);
if (!values['no-write'] && !partial) {
  writeFileSync(join(repoRoot, 'bench/cpu-breakdown.md'), markdown);
  console.log('wrote bench/cpu-breakdown.md');
}
