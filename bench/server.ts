/**
 * The service under test: a small Fastify 5 API with a route template that does a little JSON work
 * and one route that logs at info. `BENCH_VARIANT` (bench/lib/variants.ts) says how it is instrumented:
 * - `baseline`: not at all;
 * - `sightline`: expects `--import @sightline/node/register` (all signals on, OTLP/gRPC to the benchmark
 *   collector) and adds the Sightline Fastify plugin and logger;
 * - `otel-auto`, `fastify-otel`, `otel-floor`: the OpenTelemetry SDK is started by the preload (bench/otel/), so the
 *   service code is the baseline's, as it is for a user of zero-code instrumentation;
 * - `prom-client`: registers fastify-metrics with prom-client, which serves `GET /metrics`.
 *
 * Every variant logs through pino with the same asynchronous stdout destination, so the baseline is
 * a realistic uninstrumented service, not a service without logs. Listens on `PORT` (loopback).
 *
 * With `BENCH_REDIS_URL` and `BENCH_DATABASE_URL` (the database scenario) it also serves
 * `GET /profiles/:id`, which does what a Divan API read does: one Redis GET (a session lookup) and one
 * PostgreSQL query by primary key, through ioredis and pg, so their instrumentations are on the path.
 */
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { VARIANTS, type Variant } from './lib/variants.ts';

const variant = process.env.BENCH_VARIANT as Variant;
const port = Number(process.env.PORT);
if (!VARIANTS.includes(variant)) {
  throw new Error(`BENCH_VARIANT: expected one of ${VARIANTS.join(', ')}, received ${JSON.stringify(variant)}`);
}
if (!Number.isInteger(port) || port <= 0) {
  throw new Error(`PORT: expected a TCP port number, received ${JSON.stringify(process.env.PORT)}`);
}

// Loaded only by the Sightline variant so no other variant touches the SDK.
const sightline = variant === 'sightline' ? (await import('@sightline/node')).init() : undefined;
if (sightline !== undefined && !sightline.enabled) {
  throw new Error('the sightline variant started with observability off; see stderr for the reason');
}
const logger: FastifyBaseLogger =
  sightline?.logger ?? pino({ level: 'info' }, pino.destination({ dest: 1, sync: false }));

const app = Fastify({ loggerInstance: logger, disableRequestLogging: true });
if (sightline !== undefined) {
  const { sightlineFastify } = await import('@sightline/node');
  await app.register(sightlineFastify, { sightline });
}
if (variant === 'prom-client') {
  // What the specs suggest instead of tracing: RED metrics per route, scraped by Prometheus.
  // fastify-metrics is CommonJS with an `exports.default`. It defaults to @prometheus-io/client (a fork), so
  // prom-client is passed in: it has the API the plugin calls (register, Registry.merge, collectDefaultMetrics,
  // Histogram, Summary) but its types are declared apart.
  const [{ default: metrics }, { default: promClient }] = await Promise.all([
    import('fastify-metrics'),
    import('prom-client'),
  ]);
  type Options = NonNullable<Parameters<typeof metrics.default>[1]>;
  await app.register(metrics.default, {
    endpoint: '/metrics',
    promClient: promClient as unknown as Options['promClient'],
  });
}

const PLANS = ['free', 'team', 'enterprise'] as const;

/** A little deterministic JSON work per request, like reading and shaping a record. */
function userRecord(id: number) {
  const orders = Array.from({ length: 10 }, (_, i) => ({
    id: id * 100 + i,
    total: ((id * 37 + i * 11) % 5000) / 100,
    items: (id + i) % 7,
  }));
  return {
    id,
    name: `user-${id}`,
    plan: PLANS[id % PLANS.length],
    orders,
    spent: orders.reduce((sum, order) => sum + order.total, 0),
  };
}

app.get<{ Params: { id: string } }>('/users/:id', async (request, reply) => {
  const id = Number.parseInt(request.params.id, 10);
  if (!Number.isInteger(id) || id < 0) return reply.code(400).send({ error: 'id must be a non-negative integer' });
  return userRecord(id);
});

interface OrderBody {
  userId: number;
  items: { sku: string; quantity: number; price: number }[];
}

const redisUrl = process.env.BENCH_REDIS_URL;
const databaseUrl = process.env.BENCH_DATABASE_URL;
let closeDatabase = async () => {};
if (redisUrl !== undefined && databaseUrl !== undefined) {
  // Imported after the SDK (when there is one; a preload starts it before this file) so the ioredis and pg instrumentations patch them.
  const { Redis } = await import('ioredis');
  const { default: pg } = await import('pg');
  const redis = new Redis(redisUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  closeDatabase = async () => {
    redis.disconnect();
    await pool.end();
  };
  app.get<{ Params: { id: string } }>('/profiles/:id', async (request, reply) => {
    const id = Number.parseInt(request.params.id, 10);
    if (!Number.isInteger(id) || id < 0) return reply.code(400).send({ error: 'id must be a non-negative integer' });
    const session = await redis.get(`session:${id}`);
    const { rows } = await pool.query<{ id: number; name: string; plan: string }>(
      'SELECT id, name, plan FROM bench_users WHERE id = $1',
      [id],
    );
    const user = rows[0];
    if (user === undefined) return reply.code(404).send({ error: 'no such user' });
    return { ...user, signedIn: session !== null };
  });
}

app.post<{ Body: OrderBody }>('/orders', async (request, reply) => {
  const { items } = request.body;
  const total = items.reduce((sum, item) => sum + item.quantity * item.price, 0);
  request.log.info({ items: items.length, total }, 'order placed');
  return reply.code(201).send({ accepted: true, items: items.length, total });
});

await app.listen({ host: '127.0.0.1', port });

const stop = async () => {
  await app.close();
  await closeDatabase();
  await sightline?.shutdown();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
