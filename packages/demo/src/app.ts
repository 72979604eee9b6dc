import Fastify, { type FastifyInstance } from 'fastify';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { TokenSigner } from './auth/tokens.js';
import { ChatService } from './chat.js';
import { type DivanConfig, settingsChecks } from './config.js';
import type { Deps, RedisClient } from './context.js';
import { createPool, loadCampuses, observePool } from './db.js';
import { ApiError } from './errors.js';
import { LeaderboardConsumer, rolloverDaily, snapshotBoards } from './leaderboard.js';
import { LATEST_MIGRATION, migrate, readMigrationVersion } from './migrate.js';
import { createObservability, type Sightline } from './obs.js';
import { RateLimiter } from './ratelimit.js';
import { attachRealtime } from './realtime.js';
import { activityRoutes } from './routes/activities.js';
import { authRoutes } from './routes/auth.js';
import { fileRoutes } from './routes/files.js';
import { geoRoutes } from './routes/geo.js';
import { intentRoutes } from './routes/intents.js';
import { socialRoutes } from './routes/social.js';
import { webAppRoutes } from './routes/webapp.js';

/** Options of {@link buildApp} that are not configuration. */
export interface BuildOptions {
  /** Use this Sightline instead of calling `init()` (tests; hosts that initialised it first). @default init() */
  sightline?: Sightline;
  /** Run the leaderboard stream consumer. @default true */
  consumer?: boolean;
}

/** A built, not yet listening Divan API. */
export interface DivanApp {
  readonly app: FastifyInstance;
  readonly io: Server;
  readonly deps: Deps;
  readonly consumer: LeaderboardConsumer;
  /** Listens on `config.PORT` (0 picks a free port) and returns the base URL. */
  listen(): Promise<string>;
  /** Runs the `leaderboard_snapshot` job once. */
  snapshot(): Promise<number | undefined>;
  /** Stops timers, the consumer, Socket.IO, HTTP, Redis and PostgreSQL. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the Divan API: connects PostgreSQL (migrating when `MIGRATE_ON_START`) and Redis, wires
 * routes, Socket.IO, readiness probes, the leaderboard consumer, the snapshot job and the rollover hook.
 */
export async function buildApp(config: DivanConfig, options: BuildOptions = {}): Promise<DivanApp> {
  const pool = createPool(config.DATABASE_URL, config.DB_POOL_MAX);
  // Fail fast while Redis is away instead of queueing commands behind a reconnect: requests get a
  // quick 500 and readiness turns 503, rather than piling up.
  const redis: RedisClient = createClient({ url: config.REDIS_URL, disableOfflineQueue: true });
  const blocking = redis.duplicate();
  try {
    if (config.MIGRATE_ON_START) await migrate(pool);
    const campuses = await loadCampuses(pool);
    const obs = createObservability({
      ...(options.sightline && { sightline: options.sightline }),
      campusIds: [...campuses.keys()],
      activityKinds: config.ACTIVITY_KINDS,
    });
    // Connection errors are retried by node-redis; log them instead of crashing on 'error'.
    for (const client of [redis, blocking]) client.on('error', (err) => obs.logger.warn({ err }, 'redis client error'));
    await Promise.all([redis.connect(), blocking.connect()]);
    const stopPoolMetrics = observePool(pool, obs.metrics);

    const deps: Deps = {
      config,
      pool,
      redis,
      obs,
      campuses,
      tokens: new TokenSigner(config.JWT_SECRET, {
        access: config.ACCESS_TOKEN_TTL_S,
        refresh: config.REFRESH_TOKEN_TTL_S,
      }),
      limiter: new RateLimiter(redis, obs.metrics, config),
    };
    const chat = new ChatService(deps);
    const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
    app.decorateRequest('user', null);
    app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
      if (error instanceof ApiError)
        return reply.code(error.statusCode).send({ error: error.code, message: error.message });
      const status = error.statusCode ?? 500;
      if (status < 500) return reply.code(status).send({ error: error.code ?? 'bad_request', message: error.message });
      obs.countUnhandled(error.name);
      obs.logger.error({ err: error, route: request.routeOptions.url }, 'unhandled error');
      return reply.code(500).send({ error: 'internal', message: 'internal error' });
    });
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found', message: 'no such route' }));
    await obs.registerHttp(app, (request) => request.user?.sub);
    await app.register(authRoutes(deps));
    await app.register(geoRoutes(deps));
    await app.register(socialRoutes(deps, chat));
    await app.register(activityRoutes(deps));
    await app.register(intentRoutes(deps));
    await app.register(fileRoutes(deps));
    await app.register(webAppRoutes(deps));

    obs.addProbes({
      redis,
      pool,
      readVersion: () => readMigrationVersion(pool),
      minMigration: config.HEALTH_MIN_MIGRATION,
    });
    obs.addStartupChecks(settingsChecks(config));
    obs.onRollover(() => obs.runJob('leaderboard_rollover', () => rolloverDaily(deps), true));

    await app.ready();
    const io = new Server(app.server, { serveClient: false });
    obs.instrumentSocketIO(io);
    attachRealtime(io, deps, chat);
    chat.attach(io);

    const consumer = new LeaderboardConsumer(deps, blocking);
    if (options.consumer ?? true) await consumer.start();
    const snapshot = () => obs.runJob('leaderboard_snapshot', () => snapshotBoards(deps));
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    // Re-armed only after a run finishes, so snapshots never overlap.
    const arm = () => {
      if (closed || config.LB_SNAPSHOT_INTERVAL_MS === 0) return;
      timer = setTimeout(() => void snapshot().finally(arm), config.LB_SNAPSHOT_INTERVAL_MS);
      timer.unref();
    };
    arm();

    let closing: Promise<void> | undefined;
    return {
      app,
      io,
      deps,
      consumer,
      async listen() {
        return app.listen({ port: config.PORT, host: config.HOST });
      },
      snapshot,
      close() {
        closing ??= (async () => {
          closed = true;
          clearTimeout(timer);
          await consumer.stop();
          await new Promise<void>((resolve) => io.close(() => resolve()));
          await app.close().catch(() => {});
          await Promise.allSettled([redis.quit(), blocking.quit()]);
          stopPoolMetrics();
          await pool.end();
        })();
        return closing;
      },
    };
  } catch (error) {
    await Promise.allSettled([redis.isOpen && redis.quit(), blocking.isOpen && blocking.quit(), pool.end()]);
    throw error;
  }
}

export { LATEST_MIGRATION };
