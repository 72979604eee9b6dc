import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, startManaged } from '@sightline/harness';
import { VARIANT_SPECS, type Variant } from './variants.ts';

export type { Variant } from './variants.ts';

/** A running benchmark server. */
export interface BenchServer {
  readonly variant: Variant;
  readonly url: string;
  readonly pid: number;
  /** stderr so far (stdout, the JSON log lines, goes to /dev/null like pino's own benchmarks). */
  logs(): string;
  stop(): Promise<void>;
}

/** Memory of a live process, from /proc/<pid>/status. */
export interface Memory {
  rssMb: number;
  /** Peak RSS since start. */
  hwmMb: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (match === null) throw new Error(`/proc/${pid}/status: expected a ${field} line, found none`);
    return Number(match[1]) / 1024;
  };
  return { rssMb: kb('VmRSS'), hwmMb: kb('VmHWM') };
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS_PER_SECOND;
}

// USER_HZ is 100 on every Linux architecture Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU pinning: the server alone on the last core, everything else (load generator, collector) on the others. */
export interface Pinning {
  serverCpus: string;
  otherCpus: string;
}

/** Pins this process (and so its later children) off the server's core; undefined when not possible. */
export function pinLoadGenerator(): Pinning | undefined {
  // Every online CPU, not availableParallelism(): that follows this process's affinity, so after the first
  // call has pinned the runner to one core it would say 1, and every later scenario of a run went unpinned.
  const cores = cpus().length;
  if (cores < 2 || spawnSync('taskset', ['-V']).status !== 0) return undefined;
  const pinning = { serverCpus: String(cores - 1), otherCpus: cores === 2 ? '0' : `0-${cores - 2}` };
  // -a: every thread of this process (libuv pool, V8 helpers), not only the main one.
  const pinned = spawnSync('taskset', ['-a', '-pc', pinning.otherCpus, String(process.pid)]);
  return pinned.status === 0 ? pinning : undefined;
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  variant: Variant;
  /** OTLP/gRPC endpoint of the collector, `host:port`; required by the variants that export over OTLP. */
  otlpEndpoint?: string;
  pinning?: Pinning;
  /** The node binary that runs the server, e.g. a Node 22 build. @default the runner's own (process.execPath) */
  node?: string;
  /** More env for the Sightline variant, e.g. `{ OBS_DISABLED_INSTRUMENTATIONS: 'undici' }`. @default {} */
  sdkEnv?: Record<string, string>;
  /** Env for both variants, e.g. the database scenario's `BENCH_REDIS_URL`. @default {} */
  serviceEnv?: Record<string, string>;
  /** More node flags, e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']` to see where the time goes. @default [] */
  nodeArgs?: string[];
}

/** Starts bench/server.ts in a child process and waits until it answers. */
export async function startServer(options: ServerOptions): Promise<BenchServer> {
  const {
    variant,
    otlpEndpoint,
    pinning,
    node = process.execPath,
    sdkEnv = {},
    serviceEnv = {},
    nodeArgs: extraNodeArgs = [],
  } = options;
  const spec = VARIANT_SPECS[variant];
  const port = await freePort();
  const nodeArgs = [
    ...extraNodeArgs,
    // The variant's SDK starts before the service loads, as each one's docs say.
    ...(spec.preload === undefined ? [] : ['--import', spec.preload]),
    '--import',
    'tsx',
    join(repoRoot, 'bench/server.ts'),
  ];
  const [command, args] =
    pinning === undefined ? [node, nodeArgs] : ['taskset', ['-c', pinning.serverCpus, node, ...nodeArgs]];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...serviceEnv,
    BENCH_VARIANT: variant,
    PORT: String(port),
    NODE_ENV: 'production',
  };
  if (spec.receiver !== undefined) {
    if (otlpEndpoint === undefined) throw new Error(`startServer: the ${variant} variant needs otlpEndpoint`);
    Object.assign(env, { OTEL_EXPORTER_OTLP_ENDPOINT: `http://${otlpEndpoint}`, OTEL_SERVICE_NAME: 'bench-api' });
  }
  if (variant === 'sightline') {
    Object.assign(env, {
      OBS_ENABLED: 'true',
      OBS_TRACING_ENABLED: 'true',
      OBS_METRICS_ENABLED: 'true',
      OBS_LOGS_ENABLED: 'true',
      LOG_LEVEL: 'info',
      ...sdkEnv,
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const proc = await startManaged({
    name: `${variant} server`,
    command,
    args,
    cwd: repoRoot,
    env,
    // stdout (the JSON log lines) goes to /dev/null like pino's own benchmarks: a pipe would cost.
    logs: { stdout: 'ignore', keepLines: 500 },
    readyUrl: `${url}/users/1`,
    timeoutMs: 30_000,
    stopGraceMs: 10_000,
  });
  return {
    variant,
    url,
    pid: proc.child.pid ?? -1,
    logs: () => proc.logs(),
    stop: () => proc.stop(),
  };
}
