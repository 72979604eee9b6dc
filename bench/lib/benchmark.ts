import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { type PostgresServer, type RedisServer, startPostgres, startRedis, waitFor } from '@sightline/harness';
import type { Request } from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type Accepted, startBenchCollector } from './collector.ts';
import { DATABASE_MIX, type LoadResult, REQUEST_MIX, runLoad } from './load.ts';
import {
  type BenchServer,
  type Memory,
  type Pinning,
  pinLoadGenerator,
  readCpuSeconds,
  readMemory,
  startServer,
} from './servers.ts';
import { median } from './stats.ts';
import { VARIANT_SPECS, VARIANTS, type Variant } from './variants.ts';

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
  /** The variants measured side by side; must include `baseline`, which the others are compared with. @default VARIANTS (all five) */
  variants?: readonly Variant[];
  /** The node binary that runs the servers (the runner and its load generator stay on their own). @default process.execPath */
  node?: string;
  /** Alternating rounds; each round loads every variant. @default 3 */
  rounds?: number;
  /** Length of each measured saturation run. @default 5 */
  durationSec?: number;
  /** Length of each measured latency run (1 connection: a few thousand requests are plenty for a p99). @default 3 */
  latencyDurationSec?: number;
  /** Load before the first round, per variant, not measured. @default 3 */
  warmupSec?: number;
  /** Connections of the saturation (throughput) runs. @default 50 */
  connections?: number;
  /** Connections of the latency runs: few, so latency is service time, not queueing behind other requests. @default 1 */
  latencyConnections?: number;
  /** Pin the servers to their own core when taskset is there. @default true */
  pin?: boolean;
  /** Extra SDK env for the Sightline variant, to try a setting; empty means the SDK's defaults. @default {} */
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

/** One variant's medians over the rounds, and the same against the baseline. */
export interface VariantResult {
  variant: Variant;
  /** Median req/s at saturation. */
  rps: number;
  /** Median server CPU µs per request at saturation: the primary figure. */
  cpuUs: number;
  /** Median p99 of the latency runs (few connections: service time). */
  p99Ms: number;
  /** Median p99 at saturation (queueing). */
  saturationP99Ms: number;
  memory: { afterWarmup: Memory; atEnd: Memory };
  /** Requests this server answered over warm-up and every round. */
  requests: number;
  /** What the collector accepted from this variant's receiver (zero for variants that do not export over OTLP). */
  accepted: Accepted;
  /** prom-client only: requests counted by the route histogram on `/metrics` at the end. */
  scrapedRequests?: number;
  /** rps / baseline rps. */
  throughputRatio: number;
  /** cpuUs - baseline cpuUs. */
  addedCpuUs: number;
  /** baseline cpuUs / cpuUs: the throughput ratio on a core of its own, robust to noise. */
  cpuRatio: number;
  addedP99Ms: number;
  addedSaturationP99Ms: number;
  /** RSS at end - baseline RSS at end. */
  addedRssMb: number;
}

export interface BenchmarkResult {
  startedAt: Date;
  finishedAt: Date;
  settings: Required<Omit<BenchmarkOptions, 'log'>>;
  machine: {
    cores: number;
    cpuModel: string;
    /** The servers' Node.js version (`settings.node`). */
    node: string;
    pinning: Pinning | undefined;
    /** 1, 5 and 15 minute load averages when this scenario started and ended. */
    loadAtStart: number[];
    loadAtEnd: number[];
  };
  runs: Run[];
  variants: Partial<Record<Variant, VariantResult>>;
  /** The Sightline budget, judged on the sightline variant (all false when it was not measured). */
  pass: { throughput: boolean; p99: boolean; rss: boolean; all: boolean };
}

/** The variant result, or an error naming it when it was not measured. */
export function variantResult(result: BenchmarkResult, variant: Variant): VariantResult {
  const found = result.variants[variant];
  if (found === undefined) throw new Error(`the ${variant} variant was not measured in this run`);
  return found;
}

/** What a scenario needs besides the servers. */
export interface ScenarioServices {
  /** Env for every server variant. */
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

/** Requests counted by fastify-metrics' route histogram in a `/metrics` exposition. */
function scrapedRequestCount(exposition: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('http_request_duration_seconds_count{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** How long the accepted totals must stay unchanged before they count as final: NodeSDK's 5 s batch timer and a margin. */
const SETTLE_MS = 6_000;

/** `round`'s order: rotated by one each round and reversed every other round, so each variant runs early and late. */
function roundOrder(variants: readonly Variant[], round: number): Variant[] {
  const shift = (round - 1) % variants.length;
  const rotated = [...variants.slice(shift), ...variants.slice(0, shift)];
  return round % 2 === 0 ? rotated.reverse() : rotated;
}

/** The Node.js version of a node binary. */
export function nodeVersion(node: string): string {
  return execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
}

/**
 * Starts the collector and one server per variant, warms them up, then loads them in alternating rounds
 * (a different order each round) so machine noise hits all of them. Each round runs a saturation run
 * (throughput, CPU per request) and a single-connection run (latency) per variant.
 */
export async function runBenchmark(options: BenchmarkOptions = {}): Promise<BenchmarkResult> {
  const settings = {
    scenario: options.scenario ?? 'compute',
    variants: options.variants ?? VARIANTS,
    node: options.node ?? process.execPath,
    rounds: options.rounds ?? 3,
    durationSec: options.durationSec ?? 5,
    latencyDurationSec: options.latencyDurationSec ?? 3,
    warmupSec: options.warmupSec ?? 3,
    connections: options.connections ?? 50,
    latencyConnections: options.latencyConnections ?? 1,
    pin: options.pin ?? true,
    sdkEnv: options.sdkEnv ?? {},
  };
  if (!settings.variants.includes('baseline')) {
    throw new Error(`variants: expected the list to include baseline, received ${settings.variants.join(', ')}`);
  }
  const log = options.log ?? (() => {});
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const node = nodeVersion(settings.node);
  const pinning = settings.pin ? pinLoadGenerator() : undefined;
  log(
    pinning
      ? `pinned: servers on CPU ${pinning.serverCpus}, load generator and collector on CPU ${pinning.otherCpus}`
      : 'not pinned',
  );

  const collector = await startBenchCollector();
  const servers: BenchServer[] = [];
  let scenario: ScenarioServices | undefined;
  try {
    scenario = await startScenario(settings.scenario);
    const { serviceEnv, requests } = scenario;
    for (const variant of settings.variants) {
      log(`start ${variant} on Node ${node}`);
      servers.push(
        await startServer({
          variant,
          otlpEndpoint: collector.endpointOf(variant),
          pinning,
          node: settings.node,
          sdkEnv: settings.sdkEnv,
          serviceEnv,
        }),
      );
    }
    const byVariant = Object.fromEntries(servers.map((s) => [s.variant, s])) as Record<Variant, BenchServer>;
    const served = Object.fromEntries(settings.variants.map((v) => [v, 0])) as Record<Variant, number>;

    const afterWarmup = {} as Record<Variant, Memory>;
    for (const variant of settings.variants) {
      log(`warm-up ${variant} ${settings.warmupSec} s`);
      const warm = await runLoad({
        url: byVariant[variant].url,
        connections: settings.connections,
        durationSec: settings.warmupSec,
        requests,
      });
      served[variant] += warm.requests;
      afterWarmup[variant] = readMemory(byVariant[variant].pid);
    }

    const runs: Run[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      for (const variant of roundOrder(settings.variants, round)) {
        const server = byVariant[variant];
        for (const phase of ['saturation', 'latency'] as const) {
          const [connections, durationSec] =
            phase === 'saturation'
              ? [settings.connections, settings.durationSec]
              : [settings.latencyConnections, settings.latencyDurationSec];
          const cpuBefore = readCpuSeconds(server.pid);
          const load = await runLoad({ url: server.url, connections, durationSec, requests });
          const cpuUsPerRequest = ((readCpuSeconds(server.pid) - cpuBefore) * 1e6) / Math.max(1, load.requests);
          served[variant] += load.requests;
          runs.push({ round, variant, phase, cpuUsPerRequest, ...load });
          log(
            `round ${round} ${variant} ${phase}: ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(2)} ms, p99 ${load.p99Ms.toFixed(2)} ms, ${cpuUsPerRequest.toFixed(0)} µs CPU/request`,
          );
        }
      }
    }
    const atEnd = Object.fromEntries(settings.variants.map((v) => [v, readMemory(byVariant[v].pid)])) as Record<
      Variant,
      Memory
    >;
    const loadAtEnd = loadavg();

    // Wait until every exporting variant's spans and log records have arrived and the totals have stopped
    // moving for longer than the slowest batch timer (NodeSDK's 5 s; Sightline's is 1 s), so the counts
    // per request below include the last batches.
    const exporting = settings.variants.filter((v) => VARIANT_SPECS[v].receiver !== undefined);
    const readAll = async () =>
      Object.fromEntries(await Promise.all(exporting.map(async (v) => [v, await collector.accepted(v)]))) as Record<
        Variant,
        Accepted
      >;
    let previous = '';
    let unchangedSince = Date.now();
    const accepted = await waitFor(
      async () => {
        const totals = await readAll();
        const key = JSON.stringify(totals);
        if (key !== previous) [previous, unchangedSince] = [key, Date.now()];
        const complete = exporting.every(
          (v) => totals[v].spans > 0 && (VARIANT_SPECS[v].spansOnly === true || totals[v].logRecords > 0),
        );
        return complete && Date.now() - unchangedSince >= SETTLE_MS && totals;
      },
      {
        what: 'the collector to accept spans and log records from every exporting variant',
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    ).catch(readAll);

    const scraped: Partial<Record<Variant, number>> = {};
    for (const variant of settings.variants) {
      if (VARIANT_SPECS[variant].metricsEndpoint !== true) continue;
      const response = await fetch(`${byVariant[variant].url}/metrics`);
      scraped[variant] = response.ok ? scrapedRequestCount(await response.text()) : 0;
    }

    const pick = (variant: Variant, phase: Run['phase'], key: 'rps' | 'p99Ms' | 'cpuUsPerRequest') =>
      median(runs.filter((r) => r.variant === variant && r.phase === phase).map((r) => r[key]));
    const measured = (variant: Variant) => ({
      rps: pick(variant, 'saturation', 'rps'),
      cpuUs: pick(variant, 'saturation', 'cpuUsPerRequest'),
      p99Ms: pick(variant, 'latency', 'p99Ms'),
      saturationP99Ms: pick(variant, 'saturation', 'p99Ms'),
    });
    const base = measured('baseline');
    const variants: Partial<Record<Variant, VariantResult>> = {};
    for (const variant of settings.variants) {
      const m = measured(variant);
      variants[variant] = {
        variant,
        ...m,
        memory: { afterWarmup: afterWarmup[variant], atEnd: atEnd[variant] },
        requests: served[variant],
        accepted: accepted[variant] ?? { spans: 0, metricPoints: 0, logRecords: 0 },
        ...(scraped[variant] === undefined ? {} : { scrapedRequests: scraped[variant] }),
        throughputRatio: m.rps / base.rps,
        addedCpuUs: m.cpuUs - base.cpuUs,
        cpuRatio: base.cpuUs / m.cpuUs,
        addedP99Ms: m.p99Ms - base.p99Ms,
        addedSaturationP99Ms: m.saturationP99Ms - base.saturationP99Ms,
        addedRssMb: atEnd[variant].rssMb - atEnd.baseline.rssMb,
      };
    }
    const sightline = variants.sightline;
    const pass = {
      throughput: sightline !== undefined && sightline.throughputRatio >= BUDGET.minThroughputRatio,
      p99: sightline !== undefined && sightline.addedP99Ms < BUDGET.maxAddedP99Ms,
      rss: sightline !== undefined && sightline.addedRssMb < BUDGET.maxAddedRssMb,
      all: false,
    };
    pass.all = pass.throughput && pass.p99 && pass.rss;
    return {
      startedAt,
      finishedAt: new Date(),
      settings,
      machine: { cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node, pinning, loadAtStart, loadAtEnd },
      runs,
      variants,
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
