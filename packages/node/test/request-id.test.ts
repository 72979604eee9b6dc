import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { init, type Sightline, sightlineExpress, sightlineFastify } from '../src/index.ts';
import { captureJsonLines } from './log-capture.ts';

// Two requests of one trace (a client that fans out with the same traceparent) are in flight at once;
// each one's log lines must carry its own request id, whichever adapter served it.
const spans = new InMemorySpanExporter();
spans.shutdown = async () => {};
const { lines, destination } = captureJsonLines();

let sightline: Sightline;
let expressBase: string;
let fastifyBase: string;
let stop: () => Promise<void>;

/** Resolves once `count` requests have arrived, so they are all in flight together. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived++;
    if (arrived === count) open();
    return Promise.race([
      all,
      new Promise<void>((_, reject) => setTimeout(() => reject(new Error('requests did not overlap')), 10_000)),
    ]);
  };
}

let arrive = barrier(2);

describe('request ids of concurrent requests in one trace', () => {
  beforeAll(async () => {
    sightline = init({
      serviceName: 'request-id-test',
      metricsEnabled: false,
      logsEnabled: false,
      // fetch() below is the client: uninstrumented, so the traceparent the test sends is the one that arrives.
      disabledInstrumentations: ['runtime', 'undici'],
      logDestination: destination,
      exporters: { spans },
    });
    const { default: express } = await import('express');
    const app = express();
    app.use(sightlineExpress(sightline));
    // A body parser resumes the request in a stream callback: the id must survive it.
    app.use(express.json());
    app.post('/work', async (request, response) => {
      await arrive();
      sightline.logger.info({ which: (request.body as { which: string }).which }, 'express handler');
      response.json({ ok: true });
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    expressBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const { default: Fastify } = await import('fastify');
    const fastify = Fastify();
    await fastify.register(sightlineFastify, { sightline });
    fastify.post('/work', async (request) => {
      await arrive();
      sightline.logger.info({ which: (request.body as { which: string }).which }, 'fastify handler');
      return { ok: true };
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    fastifyBase = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
    stop = async () => {
      server.close();
      await fastify.close();
    };
  });
  afterAll(async () => {
    await stop?.();
    await sightline?.shutdown();
  });

  for (const adapter of ['express', 'fastify'] as const) {
    it(`${adapter}: each request's lines carry its own request id`, async () => {
      arrive = barrier(2);
      const base = adapter === 'express' ? expressBase : fastifyBase;
      const traceId = randomUUID().replaceAll('-', '');
      const traceparent = `00-${traceId}-${'ab'.repeat(8)}-01`;
      const ids = { first: randomUUID(), second: randomUUID() };
      const responses = await Promise.all(
        (['first', 'second'] as const).map((which) =>
          fetch(`${base}/work`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', traceparent, 'x-request-id': ids[which] },
            body: JSON.stringify({ which }),
          }),
        ),
      );
      for (const [i, response] of responses.entries()) {
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('x-request-id'), Object.values(ids)[i]);
      }
      const handled = lines.filter((l) => l.msg === `${adapter} handler` && l.trace_id === traceId);
      assert.equal(handled.length, 2, JSON.stringify(lines));
      for (const line of handled) {
        assert.equal(line.request_id, ids[line.which as 'first' | 'second'], JSON.stringify(line));
      }
      const completed = lines.filter((l) => l.msg === 'request completed' && l.trace_id === traceId);
      assert.deepEqual(completed.map((l) => l.request_id).sort(), Object.values(ids).sort());
    });
  }

  it('a log line outside any request carries no request id', () => {
    sightline.logger.info('outside');
    const outside = lines.find((l) => l.msg === 'outside');
    assert.ok(outside);
    assert.equal(outside.request_id, undefined);
  });
});
