import type { Meter, Tracer } from '@opentelemetry/api';
import type { SdkCatalog } from './catalog/builtin.js';
import type { Catalog } from './catalog/types.js';
import type { SightlineConfig } from './config.js';
import type { Health } from './health.js';
import type { LoadMeter } from './load.js';
import type { InfoSampler, Logger } from './logger.js';
import type { Ops } from './ops.js';

/** What `init()` returns. */
export interface Sightline {
  /** The resolved, validated config (no secrets). */
  readonly config: SightlineConfig;
  /** False when `OBS_ENABLED=false` or init fell back to a no-op after an error. */
  readonly enabled: boolean;
  /** pino logger: JSON lines on stdout plus OTLP log records. */
  readonly logger: Logger;
  readonly meter: Meter;
  readonly tracer: Tracer;
  /**
   * The prefix of every metric the service and the SDK define: the namespace of the catalogs given to
   * `init({ catalogs })`, or `app` without one.
   */
  readonly metricNamespace: string;
  /**
   * The catalogs whose views the MeterProvider applies, the ones `createDomainMetrics` accepts: the
   * SDK's own first (Socket.IO, jobs, unhandled exceptions), then the service's. E.g. an error handler
   * counts what it caught with `createDomainMetrics(sightline, sightline.catalogs[0]).unhandledExceptions`.
   */
  readonly catalogs: readonly [SdkCatalog, ...Catalog[]];
  readonly health: Health;
  readonly ops: Ops;
  /**
   * Requests per one-second window, counted by the HTTP adapters; above `logSamplingLoadRps` the load
   * is high and info lines are sampled (README "Log sampling").
   */
  readonly load: LoadMeter;
  /** Samples info lines outside kept traces while load is high; `dropped` counts what it dropped. */
  readonly logSampler: InfoSampler;
  /** Flushes traces, metrics and logs and stops the SDK. Safe to call more than once. */
  shutdown(): Promise<void>;
}
