import { diag, type Meter, metrics, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { DEFAULT_METRIC_NAMESPACE, SDK_METRICS, sdkCatalog } from './catalog/builtin.js';
import { identifier, resolveLabelValues } from './catalog/labels.js';
import { createRecorder } from './catalog/recorders.js';
import type { Recorders } from './catalog/types.js';
import { activeSightline } from './init.js';
import { INSTRUMENTATION_SCOPE } from './scope.js';
import type { Sightline } from './types.js';

/** The part of a pino logger the SDK's helpers use to report errors. */
export interface ErrorLogger {
  error(obj: object, msg?: string): void;
}

/** Options of {@link job}. */
export interface JobOptions {
  /**
   * The instance whose meter, tracer, logger and metric namespace the job uses.
   * @default the instance `init()` returned; without one the global meter and tracer, namespace `app`
   */
  sightline?: Sightline;
  /** Meter for `<namespace>.jobs.runs` and `<namespace>.jobs.duration`. @default the instance's meter */
  meter?: Meter;
  /** Tracer for the job's span. @default the instance's tracer */
  tracer?: Tracer;
  /** Where a failed run is logged (a pino logger fits). @default OpenTelemetry's diag logger */
  logger?: ErrorLogger;
  /**
   * After recording a failure, throw the job's error again (`true`) or swallow it and resolve
   * `undefined` (`false`, handy for timers where a rejection would be unhandled).
   * @default true
   */
  rethrow?: boolean;
}

type JobRecorders = Pick<Recorders<ReturnType<typeof sdkCatalog>>, 'jobsRuns' | 'jobsDuration'>;

const recordersByMeter = new WeakMap<Meter, Map<string, JobRecorders>>();

/** One pair of job recorders per meter and namespace, so every job shares the same instruments. */
function jobRecorders(meter: Meter, namespace: string): JobRecorders {
  let byNamespace = recordersByMeter.get(meter);
  if (byNamespace === undefined) {
    byNamespace = new Map();
    recordersByMeter.set(meter, byNamespace);
  }
  let recorders = byNamespace.get(namespace);
  if (recorders === undefined) {
    const catalog = sdkCatalog(namespace);
    const values = resolveLabelValues(catalog.labelSets, undefined);
    recorders = {
      jobsRuns: createRecorder(meter, catalog, SDK_METRICS.jobsRuns, values) as JobRecorders['jobsRuns'],
      jobsDuration: createRecorder(meter, catalog, SDK_METRICS.jobsDuration, values) as JobRecorders['jobsDuration'],
    };
    byNamespace.set(namespace, recorders);
  }
  return recorders;
}

/**
 * Runs `fn` once as the background job `name`: inside a span `job <name>`, counting the run in
 * `<namespace>.jobs.runs{name,result}` and timing it in `<namespace>.jobs.duration{name}` (seconds). A failure is
 * recorded on the span, logged, and rethrown unless `rethrow: false`. `name` should be a constant
 * like `leaderboard_snapshot`; names that are not identifiers are recorded as `other`.
 */
export function job<T>(
  name: string,
  fn: (span: Span) => T | Promise<T>,
  options?: JobOptions & { rethrow?: true },
): Promise<T>;
export function job<T>(
  name: string,
  fn: (span: Span) => T | Promise<T>,
  options: JobOptions & { rethrow: false },
): Promise<T | undefined>;
export function job<T>(name: string, fn: (span: Span) => T | Promise<T>, options: JobOptions): Promise<T | undefined>;
export async function job<T>(
  name: string,
  fn: (span: Span) => T | Promise<T>,
  options: JobOptions = {},
): Promise<T | undefined> {
  const sightline = options.sightline ?? activeSightline();
  const meter = options.meter ?? sightline?.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE);
  const recorders = jobRecorders(meter, sightline?.metricNamespace ?? DEFAULT_METRIC_NAMESPACE);
  const tracer = options.tracer ?? sightline?.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
  const label = identifier(name);
  return tracer.startActiveSpan(`job ${label}`, { attributes: { 'sightline.job.name': label } }, async (span) => {
    const started = performance.now();
    const finish = (result: 'success' | 'failure'): number => {
      const seconds = (performance.now() - started) / 1000;
      recorders.jobsRuns.inc({ name: label, result });
      recorders.jobsDuration.record(seconds, { name: label });
      return seconds;
    };
    try {
      const value = await fn(span);
      finish('success');
      return value;
    } catch (error) {
      const seconds = finish('failure');
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      reportFailure(options.logger, label, seconds, error);
      if (options.rethrow ?? true) throw error;
      return undefined;
    } finally {
      span.end();
    }
  });
}

function reportFailure(logger: ErrorLogger | undefined, name: string, seconds: number, error: unknown): void {
  const fields = { err: error, job: name, duration_ms: Math.round(seconds * 1000) };
  try {
    if (logger) logger.error(fields, `job ${name} failed`);
    else diag.error(`job ${name} failed`, error);
  } catch {
    // A broken logger must not turn a recorded job failure into a different error.
  }
}
