import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';
import { type ManagedProcess, startManaged, tempDir } from './process.ts';

/** The repository root, found from this file's location. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** `collector/<name>` in this repository, e.g. `collectorConfigPath('otelcol.yaml')`. */
export function collectorConfigPath(name: string): string {
  return join(repoRoot, 'collector', name);
}

let cachedBinary: string | undefined;

/**
 * The slim collector binary: `$SIGHTLINE_OTELCOL_BIN` (set by scripts/run-tests.sh), else the
 * cached build from scripts/build-collector.sh (which builds it on first use).
 */
export function collectorBinary(): string {
  if (cachedBinary !== undefined) return cachedBinary;
  const fromEnv = process.env.SIGHTLINE_OTELCOL_BIN;
  const path =
    fromEnv !== undefined && fromEnv !== ''
      ? fromEnv
      : execFileSync('bash', [join(repoRoot, 'scripts/build-collector.sh')], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        }).trim();
  if (!existsSync(path)) {
    throw new Error(`SIGHTLINE_HARNESS_COLLECTOR_BINARY: expected the collector binary at ${path}, found nothing`);
  }
  cachedBinary = path;
  return path;
}

/** What `otelcol validate` said about a config. */
export interface ValidateResult {
  ok: boolean;
  /** The collector's own stdout and stderr. */
  output: string;
}

/** The repository's PII rules (pii/rules.yaml), which otelcol.yaml's sightline_pii processor reads. */
export const piiRulesPath = join(repoRoot, 'pii', 'rules.yaml');

/** Runs `<collector> validate --config ...` with the given env (config files layer in order). */
export function validateCollectorConfig(configs: string | string[], env: NodeJS.ProcessEnv = {}): ValidateResult {
  const args = ['validate', ...[configs].flat().flatMap((config) => ['--config', config])];
  const result = spawnSync(collectorBinary(), args, {
    env: { SIGHTLINE_PII_RULES: piiRulesPath, ...process.env, ...env },
    encoding: 'utf8',
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** Options for {@link startCollector}. */
export interface CollectorOptions {
  /** Config file(s), layered in order. @default collector/otelcol.yaml */
  config?: string | string[];
  /**
   * Env overrides, applied after the harness's own loopback defaults (so they win). Use them for
   * exporter endpoints and test-only knobs such as `SIGHTLINE_SAMPLING_DECISION_WAIT`.
   */
  env?: NodeJS.ProcessEnv;
  /** Name in log dumps. @default 'collector' */
  name?: string;
  /** How long to wait for health_check to answer 200. @default 30000 */
  timeoutMs?: number;
  /** Fixed loopback ports; each one left out is a free port. @default {} */
  ports?: { grpc?: number; http?: number; health?: number; metrics?: number };
}

/** A running collector on loopback. */
export interface Collector {
  /** `127.0.0.1:<port>` for OTLP/gRPC clients. */
  readonly otlpGrpcEndpoint: string;
  /** `http://127.0.0.1:<port>`; signals go to `/v1/traces`, `/v1/logs`, `/v1/metrics`. */
  readonly otlpHttpUrl: string;
  /** The health_check extension's URL. */
  readonly healthUrl: string;
  /** The collector's own Prometheus metrics (`otelcol_*`). */
  readonly metricsUrl: string;
  /** Temp directory holding file_storage queues and the remote-write WAL. */
  readonly dataDir: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
  logs(): string;
}

/**
 * Starts the built collector with `config` on free loopback ports and waits until its
 * health_check extension answers. The ports and data directories come from the env vars that
 * collector/otelcol.yaml reads; a config that does not read them still gets them, harmlessly.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const {
    config = collectorConfigPath('otelcol.yaml'),
    env = {},
    name = 'collector',
    timeoutMs = 30_000,
    ports = {},
  } = options;
  const [grpcPort, httpPort, healthPort, metricsPort] = [
    ports.grpc ?? (await freePort()),
    ports.http ?? (await freePort()),
    ports.health ?? (await freePort()),
    ports.metrics ?? (await freePort()),
  ];
  const dataDir = tempDir('collector');
  const baseEnv: NodeJS.ProcessEnv = {
    SIGHTLINE_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpcPort}`,
    SIGHTLINE_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
    SIGHTLINE_HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
    SIGHTLINE_COLLECTOR_METRICS_HOST: '127.0.0.1',
    SIGHTLINE_COLLECTOR_METRICS_PORT: String(metricsPort),
    SIGHTLINE_STORAGE_DIR: join(dataDir, 'storage'),
    SIGHTLINE_PROMETHEUS_WAL_DIR: join(dataDir, 'prometheus-wal'),
    SIGHTLINE_PII_RULES: piiRulesPath,
  };
  const args = [config].flat().flatMap((file) => ['--config', file]);
  const healthUrl = `http://127.0.0.1:${healthPort}/`;
  const proc = await startManaged({
    name,
    command: collectorBinary(),
    args,
    env: { ...baseEnv, ...env },
    readyUrl: healthUrl,
    timeoutMs,
    // Long enough to flush its queues to backends that are still up.
    stopGraceMs: 10_000,
  });
  return {
    otlpGrpcEndpoint: `127.0.0.1:${grpcPort}`,
    otlpHttpUrl: `http://127.0.0.1:${httpPort}`,
    healthUrl,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    dataDir,
    process: proc,
    stop: () => proc.stop(),
    logs: () => proc.logs(),
  };
}
