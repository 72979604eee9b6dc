// The only module that imports @sightline/node: adapting to the SDK's API is a one-file change.
import {
  createDomainMetrics,
  init,
  instrumentSocketIO,
  job,
  type Logger,
  migrationsProbe,
  postgresProbe,
  redisProbe,
  type Sightline,
  sightlineFastify,
} from '@sightline/node';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Server } from 'socket.io';
import { DIVAN_CATALOGS, type DomainMetrics, domainCatalog } from './metrics/index.js';

export type { DomainMetrics, Logger, Sightline };

/** Socket.IO events the service handles; others are counted as `other`. */
export const SOCKET_EVENTS = ['chat:send', 'chat:delivered', 'chat:read', 'room:join', 'room:send'] as const;
export const SOCKET_NAMESPACES = ['/'] as const;

/** What the service uses from Sightline: logs, typed metrics, jobs, health, ops. */
export interface Observability {
  readonly sightline: Sightline;
  readonly logger: Logger;
  readonly metrics: DomainMetrics;
  /** Counts an error a handler caught but could not answer (500) in `divan.unhandled.exceptions`, by class. */
  countUnhandled(type: string): void;
  /**
   * Runs a background job with runs/duration metrics, a span and error logging. Failures resolve
   * `undefined` unless `rethrow` (for callers that report them, like `/ops/rollover`).
   */
  runJob<T>(name: string, fn: () => Promise<T>, rethrow?: boolean): Promise<T | undefined>;
  /** Request ids, request logs, route templates, `/health/*` and `/ops/*`. */
  registerHttp(app: FastifyInstance, userId: (request: FastifyRequest) => string | undefined): Promise<void>;
  /** Readiness: Redis PING, PostgreSQL SELECT 1 and the applied migration version (at least `minMigration`). */
  addProbes(deps: {
    redis: { ping(): Promise<unknown> };
    pool: pg.Pool;
    readVersion: () => Promise<string>;
    minMigration: string | undefined;
  }): void;
  /** Startup: the service's own checks (its settings, config.ts `settingsChecks`) on `/health/startup`. */
  addStartupChecks(checks: Readonly<Record<string, () => boolean>>): void;
  instrumentSocketIO(io: Server): void;
  onRollover(handler: () => Promise<unknown>): void;
}

/** Options of {@link createObservability}. */
export interface ObservabilityOptions {
  /**
   * An already initialised Sightline, given Divan's catalogs (`init({ catalogs: DIVAN_CATALOGS })`).
   * @default init({ catalogs: DIVAN_CATALOGS }) from env
   */
  sightline?: Sightline;
  /** Campus ids recorded by name in `campus_id`; others are `other`. */
  campusIds: readonly string[];
  /** Activity kinds recorded by name in `kind`. */
  activityKinds: readonly string[];
}

export function createObservability(options: ObservabilityOptions): Observability {
  const sightline = options.sightline ?? init({ catalogs: DIVAN_CATALOGS });
  const { logger } = sightline;
  const metrics = createDomainMetrics(sightline, domainCatalog, {
    labelValues: { campusIds: options.campusIds, activityKinds: options.activityKinds },
  });
  // The SDK defines unhandled.exceptions itself (its catalog comes first in sightline.catalogs).
  const sdkMetrics = createDomainMetrics(sightline, sightline.catalogs[0]);
  return {
    sightline,
    logger,
    metrics,
    countUnhandled: (type) => sdkMetrics.unhandledExceptions.inc({ type }),
    runJob: (name, fn, rethrow = false) => job(name, fn, { sightline, logger, rethrow }),
    async registerHttp(app, userId) {
      await app.register(sightlineFastify, { sightline, userId });
    },
    addProbes({ redis, pool, readVersion, minMigration }) {
      sightline.health.addReadinessProbe('redis', redisProbe(redis));
      sightline.health.addReadinessProbe('postgres', postgresProbe(pool));
      sightline.health.addReadinessProbe('migrations', migrationsProbe(readVersion, { minVersion: minMigration }));
    },
    addStartupChecks(checks) {
      for (const [name, check] of Object.entries(checks)) sightline.health.addStartupCheck(name, check);
    },
    instrumentSocketIO(io) {
      instrumentSocketIO(io, {
        sightline,
        namespaces: SOCKET_NAMESPACES,
        events: SOCKET_EVENTS,
        debug: sightline.config.logLevel === 'debug' || sightline.config.logLevel === 'trace',
        logger,
      });
    },
    onRollover(handler) {
      sightline.ops.onRollover(handler);
    },
  };
}
