// An Express 5 order service observed by @sightline/node. Start it with the preload (see preload.ts):
// init() has run and the ESM hook is in place before express is imported here.
import { randomUUID } from 'node:crypto';
import { createDomainMetrics, init, sightlineExpress } from '@sightline/node';
import express, { type ErrorRequestHandler } from 'express';
import { CHANNELS, catalog } from './metrics.ts';

interface Order {
  id: string;
  channel: string;
  total: number;
  createdAt: string;
}

const sightline = init(); // the instance the preload started, with the catalog
const metrics = createDomainMetrics(sightline, catalog);
const log = sightline.logger;
const orders = new Map<string, Order>();
const port = Number(process.env.PORT ?? 3000);

// /health/startup: the service's own setting; /health/ready: its own dependency (the store).
sightline.health.addStartupCheck('port', () => Number.isInteger(port) && port > 0 && port < 65536);
sightline.health.addReadinessProbe('order_store', {
  timeoutMs: 100,
  check: async () => {
    if (orders.size >= 100_000) throw new Error('order store full');
    return undefined;
  },
});

const app = express();
app.use(sightlineExpress(sightline)); // first: request ids, request logs, /health/*, /ops/*
app.use(express.json({ limit: '16kb' }));

app.post('/orders', (req, res) => {
  metrics.checkoutsActive.inc();
  try {
    const { channel, total } = (req.body ?? {}) as { channel?: unknown; total?: unknown };
    if (typeof channel !== 'string' || !(CHANNELS as readonly string[]).includes(channel)) {
      res.status(400).json({ error: 'invalid_channel', message: `channel must be one of ${CHANNELS.join(', ')}` });
      return;
    }
    if (typeof total !== 'number' || !Number.isFinite(total) || total <= 0) {
      res.status(400).json({ error: 'invalid_total', message: 'total must be a positive number' });
      return;
    }
    const order: Order = { id: randomUUID(), channel, total, createdAt: new Date().toISOString() };
    orders.set(order.id, order);
    metrics.created.inc({ channel });
    metrics.value.record(total, { channel });
    log.info({ order_id: order.id, channel }, 'order created');
    res.status(201).json(order);
  } finally {
    metrics.checkoutsActive.dec();
  }
});

app.get('/orders/:id', (req, res) => {
  const order = orders.get(req.params.id);
  if (order === undefined) {
    log.warn({ order_id: req.params.id }, 'order not found');
    res.status(404).json({ error: 'not_found', message: `no order ${req.params.id}` });
    return;
  }
  res.json(order);
});

// Last: a body that is not JSON is the client's 4xx (body-parser sets `status`), anything else a counted 500.
const sdkMetrics = createDomainMetrics(sightline, sightline.catalogs[0]);
const onError: ErrorRequestHandler = (error, _req, res, _next) => {
  const status = Number.isInteger(error?.status) && error.status < 500 ? error.status : 500;
  if (status === 500) {
    sdkMetrics.unhandledExceptions.inc({ type: error?.name ?? 'unknown' });
    log.error({ err: error }, 'request failed');
  }
  res.status(status).json({
    error: status === 500 ? 'internal' : (error.type ?? 'bad_request'),
    message: status === 500 ? 'internal error' : error.message,
  });
};
app.use(onError);

const server = app.listen(port, '127.0.0.1', () => log.info({ port }, 'listening'));

// Graceful shutdown: stop accepting, finish open requests, flush telemetry, then exit.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    server.close(async () => {
      await sightline.shutdown();
      process.exit(0);
    });
    server.closeIdleConnections();
  });
}
