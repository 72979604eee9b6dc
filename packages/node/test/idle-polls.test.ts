import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { type RedisServer, startRedis } from '@sightline/harness';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { init, job, type Sightline } from '../src/index.ts';
import { captureJsonLines } from './log-capture.ts';

// Idle and blocking client polls (a consumer's XREADGROUP BLOCK, BLPOP) outside any trace must not
// become root spans: the collector keeps every trace slower than the SLO, so each idle wait was stored.
const spans = new InMemorySpanExporter();
spans.shutdown = async () => {};

let redisServer: RedisServer;
let sightline: Sightline;
// biome-ignore lint/suspicious/noExplicitAny: the node-redis client type is not worth spelling out here
let client: any;
// biome-ignore lint/suspicious/noExplicitAny: see above
let blocking: any;

const flush = async () => {
  // BatchSpanProcessor: the exporter holds finished spans only after a flush.
  const { trace } = await import('@opentelemetry/api');
  await (trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void> } })
    .getDelegate()
    .forceFlush();
};
const names = () => spans.getFinishedSpans().map((span) => span.name);
const isRoot = (span: ReadableSpan) => span.parentSpanContext === undefined;

describe('blocking Redis polls outside a trace (real Redis)', () => {
  beforeAll(async () => {
    redisServer = await startRedis();
    sightline = init({
      serviceName: 'idle-poll-test',
      environment: 'test',
      metricsEnabled: false,
      logsEnabled: false,
      disabledInstrumentations: ['runtime', 'http', 'undici'],
      logDestination: captureJsonLines().destination,
      exporters: { spans },
    });
    // Loaded after init() so the instrumentation patches it.
    const { createClient } = await import('redis');
    client = createClient({ url: redisServer.url });
    blocking = client.duplicate();
    await client.connect();
    await blocking.connect();
    await client.xGroupCreate('stream:a', 'g', '0', { MKSTREAM: true });
    await flush();
    spans.reset();
  });
  afterAll(async () => {
    await blocking?.quit();
    await client?.quit();
    await sightline?.shutdown();
    await redisServer?.stop();
  });

  it('an idle XREADGROUP BLOCK, a BLPOP timeout and a poll make no span at all', async () => {
    const started = performance.now();
    const reply = await blocking.xReadGroup('g', 'c1', { key: 'stream:a', id: '>' }, { COUNT: 10, BLOCK: 500 });
    assert.equal(reply, null);
    assert.equal(await blocking.blPop('list:empty', 0.3), null);
    await client.xInfoGroups('stream:a');
    assert.ok(performance.now() - started >= 750, 'the commands really blocked');
    await flush();
    assert.deepEqual(names(), []);
  });

  it('the same commands inside a request span or a job() are children, kept with their parent', async () => {
    await client.xAdd('stream:a', '*', { n: '1' });
    await sightline.tracer.startActiveSpan('GET /leaderboard', { kind: 1 /* SERVER */ }, async (span) => {
      await blocking.xReadGroup('g', 'c1', { key: 'stream:a', id: '>' }, { COUNT: 10, BLOCK: 200 });
      span.end();
    });
    await job('drain', async () => {
      await blocking.blPop('list:empty', 0.2);
      await client.xInfoGroups('stream:a');
    });
    await flush();
    const finished = spans.getFinishedSpans();
    const roots = finished.filter(isRoot).map((span) => span.name);
    assert.deepEqual(roots.sort(), ['GET /leaderboard', 'job drain']);
    const children = finished.filter((span) => !isRoot(span)).map((span) => span.name.toUpperCase());
    assert.equal(children.length, 3, `children: ${children}`);
    for (const command of ['XREADGROUP', 'BLPOP', 'XINFO']) {
      assert.ok(
        children.some((name) => name.includes(command)),
        `${command} span under its parent; got ${children}`,
      );
    }
    // the resource carries what init() resolved
    assert.equal(finished[0]?.resource.attributes['service.name'], 'idle-poll-test');
  });

  it('other root spans are sampled: server, internal, and HTTP client spans (they propagate their context)', async () => {
    spans.reset();
    sightline.tracer.startSpan('internal work').end();
    sightline.tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET' } }).end();
    sightline.tracer.startSpan('SELECT', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }).end();
    await flush();
    assert.deepEqual(names().sort(), ['GET', 'internal work']);
  });
});
