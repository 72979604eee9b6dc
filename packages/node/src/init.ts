import { metrics, trace } from '@opentelemetry/api';
import pino, { type DestinationStream } from 'pino';
import { SDK_METRICS } from './catalog/builtin.js';
import { type ResolvedCatalogs, resolveCatalogs } from './catalog/index.js';
import { resolveLabelValues } from './catalog/labels.js';
import { createRecorder } from './catalog/recorders.js';
import type { Catalog } from './catalog/types.js';
import {
  disabledConfig,
  environmentOf,
  isProduction,
  resolveConfig,
  type SightlineConfig,
  type SightlineOptions,
} from './config.js';
import { errors, REPORTED } from './errors.js';
import { attachAdminGuard } from './guard.js';
import { createHealth } from './health.js';
import { LoadMeter } from './load.js';
import { TraceLogSampler } from './log-sampling.js';
import { createLogger, InfoSampler } from './logger.js';
import { createOps } from './ops.js';
import { INSTRUMENTATION_SCOPE } from './scope.js';
import { type ExporterOverrides, startTelemetry, type Telemetry } from './sdk.js';
import type { Sightline } from './types.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

/** Options of `init()` that are not configuration: test seams. */
export interface InitOptions extends SightlineOptions {
  /** Write JSON log lines here instead of stdout. @default stdout */
  logDestination?: DestinationStream;
  /** Replace the OTLP gRPC exporters (e.g. with in-memory exporters in tests). @default OTLP gRPC */
  exporters?: ExporterOverrides;
  /**
   * The service's metric catalogs (`defineCatalog` results). Their namespace becomes the service's
   * metric namespace, also used by the SDK's own metrics, and their views (cardinality limits,
   * buckets) are applied; `createDomainMetrics` accepts only these catalogs. All must share one
   * namespace. @default [] (namespace `app`)
   */
  catalogs?: readonly Catalog[];
}

let active: Sightline | undefined;

/** The Sightline `init()` started, if any: the default of `job()` and `instrumentSocketIO()`. */
export function activeSightline(): Sightline | undefined {
  return active;
}

/** A Sightline that exports nothing and starts nothing; the logger still writes JSON lines to stdout. */
function noopSightline(
  config: SightlineConfig,
  adminToken: string | undefined,
  options: InitOptions,
  catalogs: ResolvedCatalogs,
): Sightline {
  const load = new LoadMeter(Number.POSITIVE_INFINITY);
  const logSampler = new InfoSampler(1, load);
  const logger = createLogger({
    config,
    sampler: logSampler,
    destination: options.logDestination,
    exportLogs: false,
  });
  const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  const meter = metrics.getMeter(INSTRUMENTATION_SCOPE);
  const sightline: Sightline = {
    config,
    enabled: false,
    logger,
    meter,
    tracer,
    metricNamespace: catalogs.namespace,
    catalogs: catalogs.catalogs,
    health: createHealth({ config, meter, logger, background: false, metricNamespace: catalogs.namespace }),
    ops: createOps(tracer, logger),
    load,
    logSampler,
    shutdown: async () => {},
  };
  return attachAdminGuard(sightline, adminToken, config.metricsPublic);
}

function flushLogger(destination: DestinationStream | undefined): void {
  const flushSync = (destination as { flushSync?: () => void } | undefined)?.flushSync;
  try {
    flushSync?.call(destination);
  } catch {
    // A destination that is not ready yet has nothing to flush.
  }
}

/**
 * Starts observability: validates config (options > env > defaults), starts the OpenTelemetry SDK with OTLP gRPC
 * exporters and instrumentations, and returns the logger, meter, tracer, health and ops.
 *
 * Never crashes the host: on a config or startup error it writes one line to stderr and returns a no-op
 * Sightline — except for config errors in production, which throw so a bad deploy fails loudly.
 * With `OBS_ENABLED=false` nothing is started or patched.
 */
export function init(options: InitOptions = {}): Sightline {
  if (active !== undefined) {
    active.logger.debug('init() called again; returning the running instance');
    const running = active.catalogs;
    const late = (options.catalogs ?? []).filter((catalog) => !running.includes(catalog));
    if (late.length > 0) {
      // Views cannot be added to a running MeterProvider; createDomainMetrics will refuse these catalogs.
      process.stderr.write(
        `[sightline] ${errors.CATALOG_NOT_REGISTERED.code}: init() already ran without the catalog(s) ` +
          `${late.map((catalog) => `"${catalog.namespace}"`).join(', ')}; call init({ catalogs }) first\n`,
      );
    }
    return active;
  }
  // A bad catalog is a programming error, thrown in every environment before anything starts.
  const catalogs = resolveCatalogs(options.catalogs);
  let resolved: ReturnType<typeof resolveConfig>;
  try {
    resolved = resolveConfig(options);
  } catch (error) {
    if (isProduction(environmentOf(options))) throw error;
    process.stderr.write(`[sightline] ${(error as Error).message}; observability is off\n`);
    return noopSightline(disabledConfig(), undefined, options, catalogs);
  }
  const { config, adminToken, warnings } = resolved;
  // Not fatal (the spec says: ignore the value and report it), but said on stderr where it is seen at once.
  for (const warning of warnings) process.stderr.write(`[sightline] ${warning}\n`);
  if (!config.enabled) return noopSightline(config, adminToken, options, catalogs);

  const load = new LoadMeter(config.logSamplingLoadRps);
  // Watches every trace's outcome, so under load a kept trace keeps its info lines (README "Logs").
  const traceLogs = new TraceLogSampler({
    percentage: config.traceSamplingPercentage,
    latencySloMs: config.latencySloMs,
    load,
  });
  let sdk: Telemetry;
  try {
    sdk = startTelemetry(config, options.exporters, [traceLogs], catalogs.catalogs);
  } catch (error) {
    process.stderr.write(
      `[sightline] ${REPORTED.START_FAILED.code}: ${(error as Error).message}; observability is off\n`,
    );
    return noopSightline(config, adminToken, options, catalogs);
  }

  const destination = options.logDestination ?? pino.destination({ dest: 1, sync: false });
  const logSampler = new InfoSampler(config.logSamplingRateInfo, load);
  const logger = createLogger({
    config,
    sampler: logSampler,
    destination,
    exportLogs: config.logsEnabled,
    // Without local spans no trace outcome ever arrives, so nothing may wait for one.
    traceLogs: config.tracingEnabled ? traceLogs : undefined,
  });
  const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  const meter = metrics.getMeter(INSTRUMENTATION_SCOPE);
  const health = createHealth({ config, meter, logger, background: true, metricNamespace: catalogs.namespace });

  // Counts and logs what no handler caught. A monitor only observes: Node's crash behaviour is unchanged.
  const sdkMetrics = catalogs.catalogs[0];
  const unhandled = createRecorder(
    meter,
    sdkMetrics,
    SDK_METRICS.unhandledExceptions,
    resolveLabelValues(sdkMetrics.labelSets, undefined),
  ) as { inc(labels: { type: string }): void };
  const onUncaught = (error: unknown, origin: string) => {
    unhandled.inc({ type: error instanceof Error ? error.constructor.name : 'non_error' });
    logger.fatal({ err: error, origin }, 'uncaught exception');
    flushLogger(destination);
  };
  process.on('uncaughtExceptionMonitor', onUncaught);

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      health.close();
      process.removeListener('SIGTERM', onSigterm);
      process.removeListener('uncaughtExceptionMonitor', onUncaught);
      flushLogger(destination);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_DEADLINE_MS);
        timer.unref();
      });
      await Promise.race([sdk.shutdown().catch(() => undefined), deadline]);
      clearTimeout(timer);
      if (active === sightline) active = undefined;
    })();
    return stopping;
  };
  // Opt-in: flush, then re-raise SIGTERM so the default exit happens unless the app handles it itself.
  const onSigterm = () => {
    void shutdown().finally(() => {
      if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
    });
  };
  if (config.handleSigterm) process.once('SIGTERM', onSigterm);

  const sightline: Sightline = {
    config,
    enabled: true,
    logger,
    meter,
    tracer,
    health,
    metricNamespace: catalogs.namespace,
    catalogs: catalogs.catalogs,
    ops: createOps(tracer, logger),
    load,
    logSampler,
    shutdown,
  };
  attachAdminGuard(sightline, adminToken, config.metricsPublic);
  active = sightline;
  return sightline;
}
