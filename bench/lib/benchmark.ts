import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  type PostgresServer,
  type RedisServer,
  repoRoot,
  startCollector,
  startPostgres,
  startRedis,
  tempDir,
  waitFor,
} from '@sightline/harness';
import type { Request } from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DATABASE_MIX, type LoadResult, REQUEST_MIX, runLoad } from './load.ts';
import {
  type BenchServer,
  type Memory,
  type Pinning,
  pinLoadGenerator,
  readCpuSeconds,
  readMemory,
  startServer,
  type Variant,
} from './servers.ts';
import { median } from './stats.ts';

/** The performance budget of `@sightline/node` with every signal on. */
export const BUDGET = {
  /** Instrumented req/s over baseline req/s, at saturation. */
  minThroughputRatio: 0.9,
  /** Instrumented p99 minus baseline p99 on a single connection (service time, no queueing). */
  maxAddedP99Ms: 1,
  /** Instrumented RSS minus baseline RSS after all rounds. */
  maxAddedRssMb: 40,
} as const;

/**
 * What each request does. `compute`: JSON work in the process only, the worst case for any
 * instrumentation (its fixed cost per request is compared with ~50 µs of work). `database`: a Redis GET
 * and a PostgreSQL query per read, like a Divan API request, with the ioredis and pg spans that brings.
 */
export type Scenario = 'compute' | 'database';
export const SCENARIOS: readonly Scenario[] = ['compute', 'database'];

/** Options of {@link runBenchmark}. */
export interface BenchmarkOptions {
  /** What each request does. @default "compute" */
  scenario?: Scenario;
  /** Alternating rounds; each round loads both variants. @default 3 */
  rounds?: number;
  /** Length of each measured load run. @default 10 */
  durationSec?: number;
  /** Load before the first round, per variant, not measured. @default 5 */
  warmupSec?: number;
  /** Connections of the saturation (throughput) runs. @default 50 */
  connections?: number;
  /** Connections of the latency runs: few, so latency is service time, not queueing behind other requests. @default 1 */
  latencyConnections?: number;
  /** Pin the server to its own core when taskset is there. @default true */
  pin?: boolean;
  /** Extra SDK env for the instrumented variant, to try a setting; empty means the SDK's defaults. @default {} */
  sdkEnv?: Record<string, string>;
  /** Progress lines. @default nothing */
  log?: (line: string) => void;
}

/** One measured load run. */
export interface Run extends LoadResult {
  round: number;
  variant: Variant;
  phase: 'saturation' | 'latency';
  /** Server CPU time (user + system) per request served, in microseconds. */
  cpuUsPerRequest: number;
}

/** Exported totals the collector accepted, read from its own metrics. */
export interface Accepted {
  spans: number;
  metricPoints: number;
  logRecords: number;
}

export interface BenchmarkResult {
  startedAt: Date;
  settings: Required<Omit<BenchmarkOptions, 'log'>>;
  machine: { cores: number; cpuModel: string; node: string; pinning: Pinning | undefined };
  runs: Run[];
  memory: Record<Variant, { afterWarmup: Memory; atEnd: Memory }>;
  accepted: Accepted;
  summary: {
    baselineRps: number;
    instrumentedRps: number;
    throughputRatio: number;
    baselineP99Ms: number;
    instrumentedP99Ms: number;
    addedP99Ms: number;
    addedSaturationP99Ms: number;
    addedRssMb: number;
    /** Server CPU µs per request at saturation (median of rounds). */
    baselineCpuUs: number;
    instrumentedCpuUs: number;
    /** baseline / instrumented CPU per request: the throughput ratio a dedicated core would give, robust to noise. */
    cpuRatio: number;
  };
  pass: { throughput: boolean; p99: boolean; rss: boolean; all: boolean };
}

const VARIANTS: Variant[] = ['baseline', 'instrumented'];

/** What a scenario needs besides the two servers. */
export interface ScenarioServices {
  /** Env for both server variants. */
  serviceEnv: Record<string, string>;
  /** The request mix. */
  requests: Request[];
  stop(): Promise<void>;
}

/** Starts and seeds what `scenario` needs (Redis and PostgreSQL for `database`). Call after pinning. */
export async function startScenario(scenario: Scenario): Promise<ScenarioServices> {
  if (scenario === 'compute') return { serviceEnv: {}, requests: REQUEST_MIX, stop: async () => {} };
  // Started after pinning, so Redis and PostgreSQL share the load generator's core, not the server's.
  const started: (RedisServer | PostgresServer)[] = [];
  const stop = async () => {
    for (const server of started) await server.stop();
  };
  try {
    const redis = await startRedis();
    started.push(redis);
    const postgres = await startPostgres();
    started.push(postgres);
    await seedDatabases(redis.url, postgres.url);
    return {
      serviceEnv: { BENCH_REDIS_URL: redis.url, BENCH_DATABASE_URL: postgres.url },
      requests: DATABASE_MIX,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The rows `GET /profiles/:id` reads: 1000 users in PostgreSQL, a session in Redis for every other one. */
async function seedDatabases(redisUrl: string, databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS bench_users (id integer PRIMARY KEY, name text NOT NULL, plan text NOT NULL)',
    );
    await client.query(
      `INSERT INTO bench_users SELECT g, 'user-' || g, (ARRAY['free', 'team', 'enterprise'])[1 + g % 3]
       FROM generate_series(0, 999) AS g ON CONFLICT DO NOTHING`,
    );
  } finally {
    await client.end();
  }
  const redis = new Redis(redisUrl);
  try {
    const pairs = Array.from({ length: 500 }, (_, i) => [`session:${2 * i + 1}`, 'active']).flat();
    await redis.mset(...pairs);
  } finally {
    redis.disconnect();
  }
}

/** Sums the samples of `name` in a Prometheus text exposition. */
function sumSeries(exposition: string, name: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const bare = line.replace(/_total(?=[{ ])/, '');
    if (bare.startsWith(`${name}{`) || bare.startsWith(`${name} `))
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function readAccepted(metricsUrl: string): Promise<Accepted> {
  const text = await (await fetch(metricsUrl)).text();
  return {
    spans: sumSeries(text, 'otelcol_receiver_accepted_spans'),
    metricPoints: sumSeries(text, 'otelcol_receiver_accepted_metric_points'),
    logRecords: sumSeries(text, 'otelcol_receiver_accepted_log_records'),
  };
}

/**
 * Starts the collector and both servers, warms them up, then loads them in alternating rounds
 * (baseline first in even rounds, instrumented first in odd ones) so machine noise hits both.
 * Each round runs a saturation run (throughput) and a single-connection run (latency) per variant.
 */
export async function runBenchmark(options: BenchmarkOptions = {}): Promise<BenchmarkResult> {
  const settings = {
    scenario: options.scenario ?? 'compute',
    rounds: options.rounds ?? 5,
    durationSec: options.durationSec ?? 6,
    warmupSec: options.warmupSec ?? 5,
    connections: options.connections ?? 50,
    latencyConnections: options.latencyConnections ?? 1,
    pin: options.pin ?? true,
    sdkEnv: options.sdkEnv ?? {},
  };
  const log = options.log ?? (() => {});
  const startedAt = new Date();
  const pinning = settings.pin ? pinLoadGenerator() : undefined;
  log(
    pinning
      ? `pinned: server on CPU ${pinning.serverCpus}, load generator and collector on CPU ${pinning.otherCpus}`
      : 'not pinned',
  );

  const collector = await startCollector({
    config: join(repoRoot, 'bench/collector.yaml'),
    name: 'bench-collector',
    env: { BENCH_SINK_PATH: join(tempDir('bench-sink'), 'otlp.pb') },
  });
  const servers: BenchServer[] = [];
  let scenario: ScenarioServices | undefined;
  try {
    scenario = await startScenario(settings.scenario);
    const { serviceEnv, requests } = scenario;
    for (const variant of VARIANTS) {
      servers.push(
        await startServer({
          variant,
          otlpEndpoint: collector.otlpGrpcEndpoint,
          pinning,
          sdkEnv: settings.sdkEnv,
          serviceEnv,
        }),
      );
    }
    const byVariant = Object.fromEntries(servers.map((s) => [s.variant, s])) as Record<Variant, BenchServer>;

    const afterWarmup = {} as Record<Variant, Memory>;
    for (const variant of VARIANTS) {
      log(`warm-up ${variant} ${settings.warmupSec} s`);
      await runLoad({
        url: byVariant[variant].url,
        connections: settings.connections,
        durationSec: settings.warmupSec,
        requests,
      });
      afterWarmup[variant] = readMemory(byVariant[variant].pid);
    }

    const runs: Run[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) {
        const server = byVariant[variant];
        for (const phase of ['saturation', 'latency'] as const) {
          const connections = phase === 'saturation' ? settings.connections : settings.latencyConnections;
          const cpuBefore = readCpuSeconds(server.pid);
          const load = await runLoad({ url: server.url, connections, durationSec: settings.durationSec, requests });
          const cpuUsPerRequest = ((readCpuSeconds(server.pid) - cpuBefore) * 1e6) / Math.max(1, load.requests);
          runs.push({ round, variant, phase, cpuUsPerRequest, ...load });
          log(
            `round ${round} ${variant} ${phase}: ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(2)} ms, p99 ${load.p99Ms.toFixed(2)} ms, ${cpuUsPerRequest.toFixed(0)} µs CPU/request`,
          );
        }
      }
    }
    const atEnd = Object.fromEntries(VARIANTS.map((v) => [v, readMemory(byVariant[v].pid)])) as Record<Variant, Memory>;

    // The batch processors flush every second: wait until traces and logs have arrived (metrics
    // follow the 15 s export interval, so a short run may have none yet).
    const accepted = await waitFor(
      async () => {
        const totals = await readAccepted(collector.metricsUrl);
        return totals.spans > 0 && totals.logRecords > 0 && totals;
      },
      { what: 'the collector to accept spans and log records', timeoutMs: 15_000, intervalMs: 250 },
    ).catch(() => readAccepted(collector.metricsUrl));

    const pick = (variant: Variant, phase: Run['phase'], key: 'rps' | 'p99Ms' | 'cpuUsPerRequest') =>
      median(runs.filter((r) => r.variant === variant && r.phase === phase).map((r) => r[key]));
    const baselineRps = pick('baseline', 'saturation', 'rps');
    const instrumentedRps = pick('instrumented', 'saturation', 'rps');
    const baselineP99Ms = pick('baseline', 'latency', 'p99Ms');
    const instrumentedP99Ms = pick('instrumented', 'latency', 'p99Ms');
    const baselineCpuUs = pick('baseline', 'saturation', 'cpuUsPerRequest');
    const instrumentedCpuUs = pick('instrumented', 'saturation', 'cpuUsPerRequest');
    const summary = {
      baselineRps,
      instrumentedRps,
      throughputRatio: instrumentedRps / baselineRps,
      baselineP99Ms,
      instrumentedP99Ms,
      addedP99Ms: instrumentedP99Ms - baselineP99Ms,
      addedSaturationP99Ms: pick('instrumented', 'saturation', 'p99Ms') - pick('baseline', 'saturation', 'p99Ms'),
      addedRssMb: atEnd.instrumented.rssMb - atEnd.baseline.rssMb,
      baselineCpuUs,
      instrumentedCpuUs,
      cpuRatio: baselineCpuUs / instrumentedCpuUs,
    };
    const pass = {
      throughput: summary.throughputRatio >= BUDGET.minThroughputRatio,
      p99: summary.addedP99Ms < BUDGET.maxAddedP99Ms,
      rss: summary.addedRssMb < BUDGET.maxAddedRssMb,
      all: false,
    };
    pass.all = pass.throughput && pass.p99 && pass.rss;
    return {
      startedAt,
      settings,
      machine: { cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, pinning },
      runs,
      memory: {
        baseline: { afterWarmup: afterWarmup.baseline, atEnd: atEnd.baseline },
        instrumented: { afterWarmup: afterWarmup.instrumented, atEnd: atEnd.instrumented },
      },
      accepted,
      summary,
      pass,
    };
  } catch (error) {
    const logs = [...servers.map((s) => s.logs()), collector.logs()].join('\n');
    throw new Error(`${(error as Error).message}\n${logs}`);
  } finally {
    for (const server of servers) await server.stop();
    await scenario?.stop();
    await collector.stop();
  }
}
