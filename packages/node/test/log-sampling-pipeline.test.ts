import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { type Pipeline, startPipeline, waitFor } from '@sightline/harness';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { init, type Sightline, sightlineFastify } from '../src/index.ts';
import { ProbabilisticRule } from '../src/trace-keep.ts';
import { discardLogs } from './log-capture.ts';

// Under high load the SDK samples info lines. A trace the collector keeps must keep its lines: this
// runs the production collector config (tail sampling at SAMPLING_PERCENTAGE) with the sink standing
// in for Tempo and Loki, sends requests under seeded trace ids, and compares what reached the sink.
const SAMPLING_PERCENTAGE = 10;
const ORDINARY = 240;
const SPECIAL = 8; // each of /fail, /slow, /forced

const seededTraceId = (seed: string) => createHash('sha256').update(seed).digest('hex').slice(0, 32);
const traceparent = (traceId: string) => `00-${traceId}-${traceId.slice(0, 16)}-01`;

let pipeline: Pipeline;
let sightline: Sightline;
let base: string;
let close: () => Promise<void>;

describe('info-log sampling agrees with tail sampling (real collector, production config)', () => {
  beforeAll(async () => {
    pipeline = await startPipeline({
      collectorEnv: { SIGHTLINE_SAMPLING_PERCENTAGE: String(SAMPLING_PERCENTAGE), SIGHTLINE_LATENCY_SLO_MS: '400' },
    });
    sightline = init({
      serviceName: 'log-sampling-test',
      environment: 'test',
      otlpEndpoint: `http://${pipeline.collector.otlpGrpcEndpoint}`,
      // Every second with a request counts as high load, so sampling is on for the whole test.
      logSamplingLoadRps: 0,
      traceSamplingPercentage: SAMPLING_PERCENTAGE,
      latencySloMs: 400,
      metricsEnabled: false,
      // undici would replace the seeded traceparent of the test's own fetch calls
      disabledInstrumentations: ['runtime', 'undici'],
      logDestination: discardLogs(),
    });
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    await app.register(sightlineFastify, { sightline });
    app.get('/warm', async () => ({ ok: true }));
    app.get('/ok', async () => {
      sightline.logger.info('handling ok');
      return { ok: true };
    });
    app.get('/fail', async (_request, reply) => {
      sightline.logger.info('handling fail');
      return reply.code(500).send({ error: 'boom' });
    });
    app.get('/slow', async () => {
      sightline.logger.info('handling slow');
      await new Promise((resolve) => setTimeout(resolve, 450));
      return { ok: true };
    });
    app.get('/forced', async () => {
      trace.getActiveSpan()?.setAttribute('sightline.sampling.force', true);
      sightline.logger.info('handling forced');
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    await sightline?.shutdown();
    await pipeline?.stop();
  });

  it('every kept trace has all its log lines in the sink; dropped ordinary traces have none', async () => {
    // A full second of requests first, so the load meter reports high load from here on.
    const warmUntil = Date.now() + 1200;
    while (Date.now() < warmUntil) await fetch(`${base}/warm`);

    const requests: Array<{ traceId: string; route: string }> = [];
    for (let i = 0; i < ORDINARY; i++) requests.push({ traceId: seededTraceId(`ordinary-${i}`), route: '/ok' });
    for (const route of ['/fail', '/slow', '/forced']) {
      for (let i = 0; i < SPECIAL; i++) requests.push({ traceId: seededTraceId(`${route}-${i}`), route });
    }
    // Ten at a time: the load stays high, and slow requests overlap ordinary ones.
    for (let i = 0; i < requests.length; i += 10) {
      await Promise.all(
        requests.slice(i, i + 10).map(async ({ traceId, route }) => {
          const response = await fetch(`${base}${route}`, { headers: { traceparent: traceparent(traceId) } });
          await response.arrayBuffer();
        }),
      );
    }
    // Sent last, decided last: once it is in the sink, every earlier trace has been decided.
    const sentinel = seededTraceId('sentinel');
    await fetch(`${base}/forced`, { headers: { traceparent: traceparent(sentinel) } });
    await sightline.shutdown();

    const sink = pipeline.sink;
    const traceIds = () => new Set(sink.spans().map((span) => span.traceId));
    await waitFor(() => traceIds().has(sentinel), {
      what: 'the sentinel trace in the sink',
      timeoutMs: 30_000,
    });

    const rule = new ProbabilisticRule(SAMPLING_PERCENTAGE);
    const kept = traceIds();
    const ordinary = requests.filter((r) => r.route === '/ok');
    const special = requests.filter((r) => r.route !== '/ok');
    // The collector kept every failed, slow and forced trace, and exactly the ordinary ones the
    // SDK's copy of its hash predicts.
    for (const { traceId, route } of special) assert.ok(kept.has(traceId), `${route} trace ${traceId} kept`);
    const keptOrdinary = ordinary.filter((r) => kept.has(r.traceId)).map((r) => r.traceId);
    const predicted = ordinary.filter((r) => rule.keeps(r.traceId)).map((r) => r.traceId);
    assert.deepEqual(keptOrdinary, predicted, 'the collector and the SDK agree on which ordinary traces are kept');
    assert.ok(keptOrdinary.length > 5 && keptOrdinary.length < ORDINARY / 4, `${keptOrdinary.length} ordinary kept`);

    const messagesOf = () => {
      const byTrace = new Map<string, string[]>();
      for (const record of sink.logRecords()) {
        if (record.traceId === undefined || record.traceId === '') continue;
        const list = byTrace.get(record.traceId) ?? [];
        list.push(String(record.body?.stringValue));
        byTrace.set(record.traceId, list);
      }
      return byTrace;
    };
    const keptRequests = requests.filter((r) => kept.has(r.traceId));
    await waitFor(
      () => {
        const logs = messagesOf();
        return keptRequests.every((r) => (logs.get(r.traceId) ?? []).length >= 2);
      },
      { what: 'both log lines of every kept trace in the sink', timeoutMs: 30_000 },
    );
    const logs = messagesOf();
    for (const { traceId, route } of keptRequests) {
      assert.deepEqual(
        (logs.get(traceId) ?? []).sort(),
        [`handling ${route.slice(1)}`, 'request completed'],
        `${route} ${traceId}`,
      );
    }
    // The sampling did happen: the ordinary traces the collector dropped left no info lines.
    const dropped = ordinary.filter((r) => !kept.has(r.traceId));
    const droppedWithLogs = dropped.filter((r) => logs.has(r.traceId));
    assert.equal(droppedWithLogs.length, 0, `${droppedWithLogs.length} of ${dropped.length} dropped traces have logs`);
  });
});
