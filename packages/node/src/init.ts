import { metrics, trace } from '@opentelemetry/api';
import pino, { type DestinationStream } from 'pino';
import { DEFAULTS, isProduction, resolveConfig, type SightlineConfig, type SightlineOptions } from './config.js';
import { REPORTED } from './errors.js';
import { attachAdminGuard } from './guard.js';
import { createHealth } from './health.js';
import { LoadMeter } from './load.js';
import { TraceLogSampler } from './log-sampling.js';
import { createLogger, InfoSampler } from './logger.js';
import { createOps } from './ops.js';
import { parseResourceAttributes, resourceValueFor } from './resource.js';
import { type ExporterOverrides, startTelemetry, type Telemetry } from './sdk.js';
import type { Sightline } from './types.js';

const SCOPE = '@sightline/node';
const SHUTDOWN_DEADLINE_MS = 10_000;

/** Options of `init()` that are not configuration: test seams. */
export interface InitOptions extends SightlineOptions {
  /** Write JSON log lines here instead of stdout. @default stdout */
  logDestination?: DestinationStream;
  /** Replace the OTLP gRPC exporters (e.g. with in-memory exporters in tests). @default OTLP gRPC */
  exporters?: ExporterOverrides;
}

let active: Sightline | undefined;

function fallbackConfig(): SightlineConfig {
  return Object.freeze({
    ...DEFAULTS,
    disabledInstrumentations: [],
    enabled: false,
    adminTokenSet: false,
    jwtSecretLength: undefined,
    production: false,
    healthMinMigration: undefined,
    redisUrl: undefined,
    databaseUrl: undefined,
    s3Endpoint: undefined,
    resourceAttributes: {},
  });
}

/** A Sightline that exports nothing and starts nothing; the logger still writes JSON lines to stdout. */
function noopSightline(config: SightlineConfig, adminToken: string | undefined, options: InitOptions): Sightline {
  const load = new LoadMeter(Number.POSITIVE_INFINITY);
  const logSampler = new InfoSampler(1, load);
  const logger = createLogger({
    config,
    sampler: logSampler,
    destination: options.logDestination,
    exportLogs: false,
  });
  const tracer = trace.getTracer(SCOPE);
  const meter = metrics.getMeter(SCOPE);
  const sightline: Sightline = {
    config,
    enabled: false,
    logger,
    meter,
    tracer,
    health: createHealth({ config, meter, logger, background: false }),
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
    return active;
  }
  let resolved: ReturnType<typeof resolveConfig>;
  try {
    resolved = resolveConfig(options);
  } catch (error) {
    const environment =
      options.environment ??
      process.env.DEPLOYMENT_ENVIRONMENT ??
      resourceValueFor(parseResourceAttributes(process.env.OTEL_RESOURCE_ATTRIBUTES).attributes, 'environment') ??
      process.env.NODE_ENV ??
      DEFAULTS.environment;
    if (isProduction(environment)) throw error;
    process.stderr.write(`[sightline] ${(error as Error).message}; observability is off\n`);
    return noopSightline(fallbackConfig(), undefined, options);
  }
  const { config, adminToken, warnings } = resolved;
  // Not fatal (the spec says: ignore the value and report it), but said on stderr where it is seen at once.
  for (const warning of warnings) process.stderr.write(`[sightline] ${warning}\n`);
  if (!config.enabled) return noopSightline(config, adminToken, options);

  const load = new LoadMeter(config.logSamplingLoadRps);
  // Watches every trace's outcome, so under load a kept trace keeps its info lines (README "Logs").
  const traceLogs = new TraceLogSampler({
    percentage: config.traceSamplingPercentage,
    latencySloMs: config.latencySloMs,
    load,
  });
  let sdk: Telemetry;
  try {
    sdk = startTelemetry(config, options.exporters, [traceLogs]);
  } catch (error) {
    process.stderr.write(`[sightline] ${REPORTED.START_FAILED.code}: ${(error as Error).message}; observability is off\n`);
    return noopSightline(config, adminToken, options);
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
  const tracer = trace.getTracer(SCOPE);
  const meter = metrics.getMeter(SCOPE);
  const health = createHealth({ config, meter, logger, background: true });

  // Counts and logs what no handler caught. A monitor only observes: Node's crash behaviour is unchanged.
  const unhandled = meter.createCounter(`${config.serviceNamespace}.unhandled.exceptions`, {
    unit: '{exception}',
    description: 'Exceptions no handler caught, by error class',
  });
  const onUncaught = (error: unknown, origin: string) => {
    const type = error instanceof Error ? error.constructor.name.slice(0, 64) : 'non_error';
    unhandled.add(1, { type });
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
    ops: createOps(tracer, logger),
    load,
    logSampler,
    shutdown,
  };
  attachAdminGuard(sightline, adminToken, config.metricsPublic);
  active = sightline;
  return sightline;
}
