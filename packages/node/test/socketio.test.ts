import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { freePort, waitFor } from '@sightline/harness';
import { Server, type Socket } from 'socket.io';
import { type Socket as ClientSocket, io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ErrorLogger } from '../src/jobs.ts';
import { instrumentSocketIO, type SocketIOInstrumentation } from '../src/socketio.ts';
import { metricsHarness, sightlineOn, tracingHarness, valueAt, viewsFor } from './catalog-helpers.ts';

describe('instrumentSocketIO with a real socket.io server and clients', () => {
  const metrics = metricsHarness(viewsFor());
  const tracing = tracingHarness();
  const logged: Array<{ obj: object; msg?: string }> = [];
  const logger: ErrorLogger = { error: (obj, msg) => logged.push({ obj, ...(msg !== undefined && { msg }) }) };
  const httpServer = createServer();
  const io = new Server(httpServer, { transports: ['websocket'] });
  const clients = new Set<ClientSocket>();
  let url = '';
  let instrumentation: SocketIOInstrumentation;
  let handlerSpanIds: string[] = [];

  beforeAll(async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    // The service registers its handlers before instrumenting: the instrumentation still runs first.
    io.on('connection', (socket: Socket) => {
      socket.on('chat', (_message: unknown, ack?: (reply: string) => void) => {
        handlerSpanIds.push(trace.getActiveSpan()?.spanContext().spanId ?? 'none');
        ack?.('stored');
      });
      socket.on('explode', () => {
        throw new TypeError('handler bug');
      });
      socket.on('explode_later', async () => {
        throw new RangeError('async handler bug');
      });
      socket.on('join', (room: string, ack: () => void) => {
        void socket.join(room);
        ack();
      });
      socket.on('kick_me', () => socket.disconnect(true));
    });
    io.of('/admin');
    io.of('/guarded').use((_socket, next) => next(new Error('not allowed')));
    instrumentation = instrumentSocketIO(io, {
      sightline: sightlineOn(metrics.meter),
      tracer: tracing.tracer,
      events: ['chat', 'join'],
      debug: true,
      logger,
    });
    io.of('/admin').on('connection', (socket) => socket.on('chat', () => {}));
    io.of('/late').on('connection', () => {});
    const port = await freePort();
    await new Promise<void>((resolve) => httpServer.listen(port, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    instrumentation.stop();
    await io.close();
    await metrics.shutdown();
    await tracing.shutdown();
    propagation.disable();
  });

  async function connect(namespace = '/', auth: Record<string, string> = {}): Promise<ClientSocket> {
    const client = connectClient(`${url}${namespace}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth,
    });
    clients.add(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    return client;
  }

  function close(client: ClientSocket): void {
    client.disconnect();
    clients.delete(client);
  }

  const gauge = async (namespace: string) => valueAt(await metrics.points('shop.socketio.clients'), { namespace }) ?? 0;

  it('counts a connection, then its disconnection, per namespace', async () => {
    const main = await connect('/');
    const admin = await connect('/admin');
    await waitFor(async () => (await gauge('/')) === 1 && (await gauge('/admin')) === 1, {
      what: 'both clients counted',
    });
    close(main);
    close(admin);
    await waitFor(async () => (await gauge('/')) === 0 && (await gauge('/admin')) === 0, { what: 'both clients gone' });
  });

  it('does not count a connection that a namespace middleware refuses', async () => {
    await assert.rejects(connect('/guarded'), /not allowed/);
    const admitted = await connect('/admin');
    await waitFor(async () => (await gauge('/admin')) === 1, { what: 'the admitted client counted' });
    assert.equal(await gauge('/guarded'), 0);
    close(admitted);
    await waitFor(async () => (await gauge('/admin')) === 0, { what: 'the admitted client gone' });
  });

  it('records a namespace outside the allow-list as other', async () => {
    const late = await connect('/late');
    await waitFor(async () => (await gauge('other')) === 1, { what: 'the /late client counted as other' });
    close(late);
    await waitFor(async () => (await gauge('other')) === 0, { what: 'the /late client gone' });
  });

  it('counts events by namespace and allow-listed name and runs each handler in a span linked to the connection', async () => {
    handlerSpanIds = [];
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const client = await connect('/', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const reply = await client.timeout(5000).emitWithAck('chat', { text: 'never recorded' });
    assert.equal(reply, 'stored');
    client.emit('typing_secret_event');
    const events = await waitFor(
      async () => {
        const points = await metrics.points('shop.socketio.events');
        return valueAt(points, { namespace: '/', event: 'other' }) === 1 ? points : undefined;
      },
      { what: 'the unlisted event counted as other' },
    );
    assert.equal(valueAt(events, { namespace: '/', event: 'chat' }), 1);
    const connectSpan = tracing
      .spans()
      .find((span) => span.name === 'socket.io connect' && span.spanContext().traceId === traceId);
    assert.ok(connectSpan, 'the connect span continues the handshake traceparent');
    const handlerSpan = tracing.spans().find((span) => span.name === 'socket.io chat');
    assert.ok(handlerSpan, 'the chat handler ran in a span');
    assert.deepEqual(handlerSpanIds, [handlerSpan.spanContext().spanId]);
    assert.notEqual(handlerSpan.spanContext().traceId, traceId, 'each handler starts its own trace');
    assert.equal(handlerSpan.links[0]?.context.spanId, connectSpan.spanContext().spanId);
    assert.equal(handlerSpan.attributes['socketio.event'], 'chat');
    assert.equal(handlerSpan.attributes['socketio.namespace'], '/');
    close(client);
  });

  it('contains handler errors: recorded on the span, logged, counted, and the server keeps serving', async () => {
    logged.length = 0;
    const client = await connect('/');
    client.emit('explode');
    client.emit('explode_later');
    await waitFor(() => logged.length === 2, { what: 'both handler errors logged' });
    const exceptions = await metrics.points('shop.unhandled.exceptions');
    assert.equal(valueAt(exceptions, { type: 'TypeError' }), 1);
    assert.equal(valueAt(exceptions, { type: 'RangeError' }), 1);
    const failed = tracing.spans().filter((span) => span.status.code === SpanStatusCode.ERROR);
    assert.deepEqual(failed.map((span) => span.status.message).sort(), ['async handler bug', 'handler bug']);
    assert.deepEqual(
      logged.map((entry) => entry.msg),
      ['socket.io handler failed', 'socket.io handler failed'],
    );
    assert.equal(await client.timeout(5000).emitWithAck('chat', {}), 'stored', 'the same socket still works');
    close(client);
  });

  it('observes the largest shared room in debug mode', async () => {
    const members = await Promise.all([connect('/'), connect('/'), connect('/')]);
    for (const member of members) await member.timeout(5000).emitWithAck('join', 'study-group');
    const sizes = await metrics.points('shop.socketio.room.size');
    assert.equal(valueAt(sizes, { namespace: '/' }), 3);
    for (const member of members) close(member);
  });

  it('leaves the clients gauge at exactly the number still connected after a storm of 200 connect/disconnect cycles', async () => {
    await waitFor(async () => io.of('/').sockets.size === 0 && (await gauge('/')) === 0, { what: 'a quiet start' });
    const kept: ClientSocket[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const cycle = await Promise.all(Array.from({ length: 20 }, () => connect('/')));
      cycle.forEach((client, index) => {
        const slot = batch * 20 + index;
        if (slot % 10 === 0) kept.push(client);
        else if (slot % 3 === 0)
          client.emit('kick_me'); // the server disconnects it
        else if (slot % 3 === 1)
          client.io.engine.close(); // the transport drops without a goodbye
        else close(client);
      });
    }
    await waitFor(() => io.of('/').sockets.size === kept.length, {
      what: `${kept.length} sockets left on the server`,
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await gauge('/')) === kept.length, { what: 'the gauge to settle', timeoutMs: 10_000 });
    assert.equal(await gauge('/'), 20);
    for (const client of kept) close(client);
    await waitFor(async () => (await gauge('/')) === 0, { what: 'the gauge back to zero' });
  });
});
