import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { context, ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, describe, it } from 'vitest';
import { resolveConfig } from '../src/config.ts';
import { TraceLogSampler } from '../src/log-sampling.ts';
import { createLogger, InfoSampler } from '../src/logger.ts';
import { calculateThreshold, fnv1a64, ProbabilisticRule } from '../src/trace-keep.ts';
import { captureJsonLines } from './log-capture.ts';

/** FNV-1a 64 written the textbook way with BigInt, to check the limb arithmetic against. */
function referenceFnv(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash;
}

/** Deterministic trace ids: sha256 of a seed, first 16 bytes. */
const seededTraceId = (seed: string) => createHash('sha256').update(seed).digest('hex').slice(0, 32);

describe("the collector's probabilistic policy, reproduced", () => {
  it('hashes with FNV-1a 64 (published test vectors and a BigInt reference)', () => {
    assert.equal(fnv1a64('', new TextEncoder().encode('a')).toString(16), 'af63dc4c8601ec8c');
    assert.equal(fnv1a64('', new TextEncoder().encode('foobar')).toString(16), '85944171f73967e8');
    const salt = new TextEncoder().encode('default-hash-seed');
    for (let i = 0; i < 2000; i++) {
      const id = Buffer.from(seededTraceId(`fnv-${i}`), 'hex');
      assert.equal(fnv1a64('default-hash-seed', id), referenceFnv(new Uint8Array([...salt, ...id])));
    }
  });

  it("computes the threshold as Go's big.Float does (64-bit product, truncated)", () => {
    assert.equal(calculateThreshold(0.5), 2n ** 63n - 1n);
    assert.equal(calculateThreshold(0.1), 1844674407370955263n);
    assert.equal(calculateThreshold(1), 2n ** 64n - 1n);
    assert.equal(calculateThreshold(0), 0n);
  });

  it('keeps the configured share of random trace ids', () => {
    const rule = new ProbabilisticRule(10);
    let kept = 0;
    for (let i = 0; i < 20_000; i++) if (rule.keeps(seededTraceId(`share-${i}`))) kept++;
    assert.ok(kept > 1800 && kept < 2200, `kept ${kept} of 20000`);
    assert.equal(new ProbabilisticRule(100).keeps(seededTraceId('x')), true);
    assert.equal(new ProbabilisticRule(0).keeps(seededTraceId('x')), false);
  });
});

describe('info lines follow their trace under high load', () => {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const alwaysHigh = { high: () => true };
  const traceLogs = new TraceLogSampler({ percentage: 10, latencySloMs: 400, load: alwaysHigh });
  const provider = new TracerProvider({
    spanProcessors: [traceLogs, new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })],
  });
  const tracer = provider.getTracer('test');
  const { config } = resolveConfig({ logLevel: 'debug' }, {});
  const { lines, destination } = captureJsonLines();
  const logger = createLogger({
    config,
    sampler: new InfoSampler(0.5, alwaysHigh),
    destination,
    exportLogs: false,
    traceLogs,
  });
  afterAll(async () => {
    await provider.shutdown();
    context.disable();
  });

  const rule = new ProbabilisticRule(10);
  const ids = Array.from({ length: 400 }, (_, i) => seededTraceId(`trace-${i}`));
  const hashKept = ids.filter((id) => rule.keeps(id));
  const notKept = ids.filter((id) => !rule.keeps(id));

  /** Runs `fn` in a local root span of trace `traceId` (its parent is remote, as behind a proxy). */
  function inTrace(
    traceId: string,
    fn: (span: ReturnType<typeof tracer.startSpan>) => void,
    options: { startTime?: number; end?: boolean } = {},
  ) {
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const span = tracer.startSpan('GET /x', { startTime: options.startTime }, parent);
    context.with(trace.setSpan(parent, span), () => fn(span));
    if (options.end !== false) span.end();
    return span;
  }
  const linesOf = (traceId: string) => lines.filter((line) => line.trace_id === traceId);

  it('a trace the hash keeps logs at once; an ordinary one that ends fast loses its info lines', () => {
    assert.ok(hashKept.length > 10 && notKept.length > 300);
    const kept = hashKept[0] as string;
    inTrace(kept, () => {
      logger.info('one');
      assert.equal(linesOf(kept).length, 1, 'written at once');
      logger.info('two');
    });
    assert.equal(linesOf(kept).length, 2);

    const ordinary = notKept[0] as string;
    inTrace(ordinary, () => {
      logger.info('held back');
      logger.warn('a warning is never sampled');
      assert.deepEqual(
        linesOf(ordinary).map((line) => line.msg),
        ['a warning is never sampled'],
      );
    });
    assert.deepEqual(
      linesOf(ordinary).map((line) => line.msg),
      ['a warning is never sampled'],
    );
    assert.equal(traceLogs.pendingLines(), 0);
  });

  it('a failed, a forced and a slow trace write every held line, in order, with their own span ids', () => {
    const [failed, forced, slow] = notKept.slice(1, 4) as [string, string, string];
    let innerSpanId = '';
    inTrace(failed, (root) => {
      logger.info('before the failure');
      const child = tracer.startSpan('db query');
      context.with(trace.setSpan(context.active(), child), () => {
        innerSpanId = child.spanContext().spanId;
        logger.info('inside the child');
      });
      child.setStatus({ code: SpanStatusCode.ERROR });
      child.end();
      // the child's error already decided the trace: later lines pass at once
      logger.info('after the failure');
      assert.equal(linesOf(failed).length, 3);
      root.end();
    });
    assert.deepEqual(
      linesOf(failed).map((line) => line.msg),
      ['before the failure', 'inside the child', 'after the failure'],
    );
    assert.equal(linesOf(failed)[1]?.span_id, innerSpanId);

    inTrace(forced, (span) => {
      logger.info('forced line');
      span.setAttribute('sightline.sampling.force', true);
    });
    assert.deepEqual(
      linesOf(forced).map((line) => line.msg),
      ['forced line'],
    );

    inTrace(slow, () => logger.info('slow line'), { startTime: Date.now() - 450 });
    assert.deepEqual(
      linesOf(slow).map((line) => line.msg),
      ['slow line'],
    );
  });

  it('a line logged after its root ended (the request log on finish) follows the decided outcome', () => {
    const [fast, slow] = notKept.slice(4, 6) as [string, string];
    const fastSpan = inTrace(fast, () => {});
    context.with(trace.setSpan(ROOT_CONTEXT, fastSpan), () => logger.info('request completed'));
    assert.equal(linesOf(fast).length, 0);
    const slowSpan = inTrace(slow, () => {}, { startTime: Date.now() - 401.5 });
    context.with(trace.setSpan(ROOT_CONTEXT, slowSpan), () => logger.info('request completed'));
    assert.equal(linesOf(slow).length, 1);
  });

  it('lines outside a sampled trace are left to the 1-in-N sampler', () => {
    const before = lines.filter((line) => line.trace_id === undefined).length;
    for (let i = 0; i < 10; i++) logger.info('untraced');
    const after = lines.filter((line) => line.trace_id === undefined).length;
    assert.equal(after - before, 5);
  });

  it('holds a bounded number of lines', () => {
    const bounded = new TraceLogSampler({
      percentage: 0,
      latencySloMs: 400,
      load: alwaysHigh,
      maxPendingTraces: 3,
      maxLinesPerTrace: 2,
    });
    const written: string[] = [];
    for (const id of ids.slice(0, 5))
      for (let i = 0; i < 4; i++) bounded.defer(id, `${id}:${i}`, (l) => written.push(l));
    assert.equal(bounded.pendingLines(), 6);
    assert.equal(bounded.dropped, 14);
  });
});
