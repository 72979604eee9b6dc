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

/** Passed to every probe and startup check run. */
export interface ProbeContext {
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

/**
 * A startup check: passes when it returns `true`, `undefined` or details without `ok: false`; fails when
 * it returns `false` or `{ ok: false, reason }`, throws, or takes longer than its timeout. Sync or async.
 */
export type StartupCheck = (
  context: ProbeContext,
) => boolean | ProbeDetails | undefined | Promise<boolean | ProbeDetails | undefined>;

/** Options of {@link Health.addStartupCheck}. */
export interface StartupCheckOptions {
  /** Longer than this counts as failed. @default 1000 */
  timeoutMs?: number;
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
  /**
   * Adds (or replaces) a readiness probe `name` (`[a-z][a-z0-9_]*`): `/health/ready` answers 503 while it
   * fails. The first probe starts the background check that feeds the probe metrics.
   */
  addReadinessProbe(name: string, probe: ReadinessProbe): void;
  /**
   * Adds (or replaces) a startup check `name` (`[a-z][a-z0-9_]*`), e.g. that the service's own settings
   * are valid: `/health/startup` answers 503 while it fails. Next to the SDK's own `config` and
   * `otlp_endpoint` checks.
   */
  addStartupCheck(name: string, check: StartupCheck, options?: StartupCheckOptions): void;
  /** Runs every readiness probe now (concurrent callers share one run). */
  ready(): Promise<HealthReport>;
  /** Runs the SDK's startup checks and every added one now (concurrent callers share one run). */
  startup(): Promise<HealthReport>;
  /** Stops the background check. */
  close(): void;
}

/** How long a startup check may take by default. */
export const STARTUP_CHECK_TIMEOUT_MS = 1000;
const CHECK_NAME = /^[a-z][a-z0-9_]*$/;

function withTimeout<T>(run: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(errors.HEALTH_PROBE_TIMEOUT(timeoutMs), { reason: HEALTH_REASONS.timeout });
      // The probe learns why it was aborted: `signal.reason.code` is SIGHTLINE_HEALTH_PROBE_TIMEOUT.
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  return Promise.race([run(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

/** The SDK's own startup checks: its config was valid, and an OTLP endpoint exists when tracing is on. */
export function sdkStartupChecks(config: SightlineConfig): Record<string, CheckResult> {
  const checks: Record<string, CheckResult> = { config: { ok: true } };
  if (config.tracingEnabled) {
    let ok = false;
    try {
      ok = ['grpc:', 'http:', 'https:'].includes(new URL(config.otlpEndpoint).protocol);
    } catch {
      // Not a URL: reported as invalid below.
    }
    checks.otlp_endpoint = ok ? { ok } : { ok, reason: HEALTH_REASONS.invalid };
  }
  return checks;
}

/** A check's outcome as a result; `undefined` and `true` pass. */
function resultOf(outcome: boolean | ProbeDetails | undefined, latencyMs: number): CheckResult {
  if (typeof outcome === 'boolean') {
    return outcome
      ? { ok: true, latency_ms: latencyMs }
      : { ok: false, latency_ms: latencyMs, reason: HEALTH_REASONS.error };
  }
  const result: CheckResult = { ok: outcome?.ok ?? true, latency_ms: latencyMs };
  if (outcome?.version !== undefined) result.version = outcome.version;
  if (outcome?.ok === false) result.reason = outcome.reason ?? HEALTH_REASONS.error;
  return result;
}

interface HealthSetup {
  config: SightlineConfig;
  /** Prefix of the probe metrics (`<ns>.redis.up`); none when undefined (`redis.up`). */
  metricNamespace?: string | undefined;
  meter: Meter;
  logger: Logger;
  /** Run the background check (only when observability is enabled). */
  background: boolean;
}

/**
 * Readiness runs on request with a timeout per probe; concurrent requests share one run. When enabled,
 * a background check re-armed only after it finishes (no overlap), `unref()`ed, feeds the probe metrics.
 * Startup runs the SDK's checks and the service's own (`addStartupCheck`) on request, the same way.
 */
export function createHealth(setup: HealthSetup): Health {
  const { config, meter, logger } = setup;
  const probes = new Map<string, ReadinessProbe>();
  const startupChecks = new Map<string, { check: StartupCheck; timeoutMs: number }>();
  const sdkChecks = sdkStartupChecks(config);
  const prefix = setup.metricNamespace === undefined ? '' : `${setup.metricNamespace}.`;
  const instruments = new Map<string, { up: ReturnType<Meter['createGauge']>; latency: Histogram }>();
  let inflight: Promise<HealthReport> | undefined;
  let startupInflight: Promise<HealthReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const instrumentsFor = (metric: string) => {
    let pair = instruments.get(metric);
    if (pair === undefined) {
      pair = {
        up: meter.createGauge(`${prefix}${metric}.up`, { description: `1 when the ${metric} probe passes, else 0` }),
        latency: meter.createHistogram(`${prefix}${metric}.latency`, {
          unit: 's',
          description: `Latency of the ${metric} readiness probe`,
          advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1] },
        }),
      };
      instruments.set(metric, pair);
    }
    return pair;
  };

  /** Runs one probe or check with its timeout; a throw or a timeout is a failure with a reason code only. */
  const runCheck = async (
    kind: 'readiness probe' | 'startup check',
    name: string,
    run: (context: ProbeContext) => ReturnType<StartupCheck>,
    timeoutMs: number,
  ): Promise<CheckResult> => {
    const started = performance.now();
    try {
      const outcome = await withTimeout(async (signal) => run({ signal }), timeoutMs);
      return resultOf(outcome, Math.round(performance.now() - started));
    } catch (error) {
      const reason = (error as { reason?: HealthReason }).reason ?? HEALTH_REASONS.error;
      logger.warn({ [kind === 'readiness probe' ? 'probe' : 'check']: name, reason }, `${kind} failed`);
      return { ok: false, latency_ms: Math.round(performance.now() - started), reason };
    }
  };

  const runProbe = async (name: string, probe: ReadinessProbe): Promise<CheckResult> => {
    const result = await runCheck('readiness probe', name, (context) => probe.check(context), probe.timeoutMs);
    if (probe.metric !== undefined) {
      const { up, latency } = instrumentsFor(probe.metric);
      up.record(result.ok ? 1 : 0);
      latency.record((result.latency_ms ?? 0) / 1000);
    }
    return result;
  };

  const report = (entries: ReadonlyArray<readonly [string, CheckResult]>): HealthReport => ({
    status: entries.every(([, c]) => c.ok) ? 'ok' : 'fail',
    checks: Object.fromEntries(entries),
  });

  const ready = () => {
    inflight ??= Promise.all([...probes].map(async ([name, probe]) => [name, await runProbe(name, probe)] as const))
      .then(report)
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const startup = () => {
    startupInflight ??= Promise.all(
      [...startupChecks].map(
        async ([name, { check, timeoutMs }]) =>
          [name, await runCheck('startup check', name, check, timeoutMs)] as const,
      ),
    )
      .then((added) => report([...Object.entries(sdkChecks), ...added]))
      .finally(() => {
        startupInflight = undefined;
      });
    return startupInflight;
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
      if (!CHECK_NAME.test(name)) throw errors.HEALTH_PROBE_NAME(name);
      const first = probes.size === 0;
      probes.set(name, probe);
      if (first) arm();
    },
    addStartupCheck(name, check, options = {}) {
      if (!CHECK_NAME.test(name)) throw errors.HEALTH_PROBE_NAME(name);
      startupChecks.set(name, { check, timeoutMs: options.timeoutMs ?? STARTUP_CHECK_TIMEOUT_MS });
    },
    ready,
    startup,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
