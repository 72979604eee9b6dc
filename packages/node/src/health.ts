import type { Histogram, Meter } from '@opentelemetry/api';
import type { SightlineConfig } from './config.js';
import { errors } from './errors.js';
import type { Logger } from './logger.js';

/** Reason codes a failed check reports; no error text leaves the process. */
export const HEALTH_REASONS = {
  timeout: 'timeout',
  error: 'error',
  belowMinimum: 'below_minimum',
  invalid: 'invalid',
} as const;
export type HealthReason = (typeof HEALTH_REASONS)[keyof typeof HEALTH_REASONS];

/** What a probe may add to its check, e.g. the migration version. */
export interface ProbeDetails {
  ok?: boolean;
  version?: string;
  reason?: HealthReason;
}

/** Passed to every probe run. */
export interface ProbeContext {
  /** `HEALTH_MIN_MIGRATION`, when set. */
  minMigration: string | undefined;
  /** Aborted when the probe's time is up. */
  signal: AbortSignal;
}

/** A readiness probe: resolves (ok) or rejects (failed) within `timeoutMs`. */
export interface ReadinessProbe {
  /** Longer than this counts as failed. */
  timeoutMs: number;
  /** Also record `<ns>.<metric>.up` and `<ns>.<metric>.latency` (e.g. `redis`, `postgres`). */
  metric?: string;
  check(context: ProbeContext): Promise<ProbeDetails | undefined>;
}

export interface CheckResult {
  ok: boolean;
  latency_ms?: number;
  version?: string;
  reason?: HealthReason;
}

/** The body of `/health/ready` and `/health/startup` (spec 001 §5). */
export interface HealthReport {
  status: 'ok' | 'fail';
  checks: Record<string, CheckResult>;
}

/** Readiness probes, startup checks and the background check that feeds the probe metrics. */
export interface Health {
  addReadinessProbe(name: string, probe: ReadinessProbe): void;
  /** Runs every readiness probe now (concurrent callers share one run). */
  ready(): Promise<HealthReport>;
  /** Config validation results, computed once at init. */
  startup(): HealthReport;
  /** Stops the background check. */
  close(): void;
}

function withTimeout<T>(run: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(Object.assign(errors.HEALTH_PROBE_TIMEOUT(timeoutMs), { reason: HEALTH_REASONS.timeout }));
    }, timeoutMs);
  });
  return Promise.race([run(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

/** Startup checks: URLs parse, the JWT secret is long enough, an OTLP endpoint exists when tracing is on. */
export function startupChecks(config: SightlineConfig): HealthReport {
  const checks: Record<string, CheckResult> = { config: { ok: true } };
  const url = (name: string, value: string | undefined, protocols: string[]) => {
    if (value === undefined) return;
    try {
      const parsed = new URL(value);
      checks[name] = protocols.includes(parsed.protocol) ? { ok: true } : { ok: false, reason: 'invalid' };
    } catch {
      checks[name] = { ok: false, reason: 'invalid' };
    }
  };
  url('redis_url', config.redisUrl, ['redis:', 'rediss:']);
  url('database_url', config.databaseUrl, ['postgres:', 'postgresql:']);
  url('s3_endpoint', config.s3Endpoint, ['http:', 'https:', 's3:']);
  if (config.jwtSecretLength !== undefined) {
    checks.jwt_secret =
      config.jwtSecretLength >= config.jwtSecretMinLength ? { ok: true } : { ok: false, reason: 'invalid' };
  }
  if (config.tracingEnabled) url('otlp_endpoint', config.otlpEndpoint, ['grpc:', 'http:', 'https:']);
  const ok = Object.values(checks).every((c) => c.ok);
  return { status: ok ? 'ok' : 'fail', checks };
}

interface HealthSetup {
  config: SightlineConfig;
  meter: Meter;
  logger: Logger;
  /** Run the background check (only when observability is enabled). */
  background: boolean;
}

/**
 * Readiness runs on request with a timeout per probe; concurrent requests share one run. When enabled,
 * a background check re-armed only after it finishes (no overlap), `unref()`ed, feeds the probe metrics.
 */
export function createHealth(setup: HealthSetup): Health {
  const { config, meter, logger } = setup;
  const probes = new Map<string, ReadinessProbe>();
  const startupReport = startupChecks(config);
  const ns = config.serviceNamespace;
  const instruments = new Map<string, { up: ReturnType<Meter['createGauge']>; latency: Histogram }>();
  let inflight: Promise<HealthReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const instrumentsFor = (metric: string) => {
    let pair = instruments.get(metric);
    if (pair === undefined) {
      pair = {
        up: meter.createGauge(`${ns}.${metric}.up`, { description: `1 when the ${metric} probe passes, else 0` }),
        latency: meter.createHistogram(`${ns}.${metric}.latency`, {
          unit: 's',
          description: `Latency of the ${metric} readiness probe`,
          advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1] },
        }),
      };
      instruments.set(metric, pair);
    }
    return pair;
  };

  const runProbe = async (name: string, probe: ReadinessProbe): Promise<CheckResult> => {
    const started = performance.now();
    let result: CheckResult;
    try {
      const details = await withTimeout(
        (signal) => probe.check({ minMigration: config.healthMinMigration, signal }),
        probe.timeoutMs,
      );
      const latency = Math.round(performance.now() - started);
      result = { ok: details?.ok ?? true, latency_ms: latency };
      if (details?.version !== undefined) result.version = details.version;
      if (details?.ok === false) result.reason = details.reason ?? HEALTH_REASONS.error;
    } catch (error) {
      const reason = (error as { reason?: HealthReason }).reason ?? HEALTH_REASONS.error;
      result = { ok: false, latency_ms: Math.round(performance.now() - started), reason };
      logger.warn({ probe: name, reason }, 'readiness probe failed');
    }
    if (probe.metric !== undefined) {
      const { up, latency } = instrumentsFor(probe.metric);
      up.record(result.ok ? 1 : 0);
      latency.record((result.latency_ms ?? 0) / 1000);
    }
    return result;
  };

  const runAll = async (): Promise<HealthReport> => {
    const entries = await Promise.all(
      [...probes].map(async ([name, probe]) => [name, await runProbe(name, probe)] as const),
    );
    const checks = Object.fromEntries(entries);
    const ok = entries.every(([, c]) => c.ok);
    return { status: ok ? 'ok' : 'fail', checks };
  };

  const ready = () => {
    inflight ??= runAll().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  const arm = () => {
    if (closed || !setup.background) return;
    timer = setTimeout(() => {
      ready().finally(arm);
    }, config.healthCheckIntervalMs);
    timer.unref();
  };

  return {
    addReadinessProbe(name, probe) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) {
        throw errors.HEALTH_PROBE_NAME(name);
      }
      const first = probes.size === 0;
      probes.set(name, probe);
      if (first) arm();
    },
    ready,
    startup: () => startupReport,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
