import { diag, type Meter, metrics, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { domainCatalog } from './catalog/definitions.js';
import type { DomainMetrics } from './catalog/index.js';
import { identifier } from './catalog/labels.js';
import { createRecorder, resolveCatalogOptions } from './catalog/recorders.js';

/** The instrumentation scope of the SDK's own meters and tracers. */
export const INSTRUMENTATION_SCOPE = '@sightline/node';

/** The part of a pino logger the SDK's helpers use to report errors. */
export interface ErrorLogger {
  error(obj: object, msg?: string): void;
}

/** The job recorders of the catalog, e.g. the object `createDomainMetrics` returns. */
export type JobMetrics = Pick<DomainMetrics, 'jobsRuns' | 'jobsDuration'>;

/** Options of {@link job}. */
export interface JobOptions {
  /**
   * Recorders for `divan.jobs.runs` and `divan.jobs.duration`. Pass the service's
   * `createDomainMetrics(...)` result to share its meter and namespace.
   * @default recorders on `meter`, namespace `divan`
   */
  metrics?: JobMetrics;
  /** Meter used when `metrics` is not given. @default the global meter `@sightline/node` */
  meter?: Meter;
  /** Tracer for the job's span. @default the global tracer `@sightline/node` */
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

const recordersByMeter = new WeakMap<Meter, JobMetrics>();

function defaultRecorders(meter: Meter): JobMetrics {
  let recorders = recordersByMeter.get(meter);
  if (!recorders) {
    const options = resolveCatalogOptions(undefined);
    recorders = {
      jobsRuns: createRecorder(meter, domainCatalog.jobsRuns, options) as JobMetrics['jobsRuns'],
      jobsDuration: createRecorder(meter, domainCatalog.jobsDuration, options) as JobMetrics['jobsDuration'],
    };
    recordersByMeter.set(meter, recorders);
  }
  return recorders;
}

/**
 * Runs `fn` once as the background job `name`: inside a span `job <name>`, counting the run in
 * `divan.jobs.runs{name,result}` and timing it in `divan.jobs.duration{name}` (seconds). A failure is
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
  const recorders = options.metrics ?? defaultRecorders(options.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE));
  const tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
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
