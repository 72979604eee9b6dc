import assert from 'node:assert/strict';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import pino from 'pino';
import { afterAll, describe, it } from 'vitest';
import { type ErrorLogger, job } from '../src/jobs.ts';
import { metricsHarness, sightlineOn, tracingHarness, valueAt, viewsFor } from './catalog-helpers.ts';

/** A pino-shaped logger that keeps what it is given. */
function memoryLogger(): ErrorLogger & { entries: Array<{ obj: Record<string, unknown>; msg?: string }> } {
  const entries: Array<{ obj: Record<string, unknown>; msg?: string }> = [];
  return {
    entries,
    error(obj, msg) {
      entries.push({ obj: obj as Record<string, unknown>, ...(msg !== undefined && { msg }) });
    },
  };
}

describe('job', () => {
  const metrics = metricsHarness(viewsFor());
  const tracing = tracingHarness();
  afterAll(async () => {
    await metrics.shutdown();
    await tracing.shutdown();
  });
  // The instance's meter and metric namespace (`shop`, from its catalog); the test's tracer.
  const base = { sightline: sightlineOn(metrics.meter), tracer: tracing.tracer };

  it('counts a successful run, times it and returns the result inside its own active span', async () => {
    let activeSpanId: string | undefined;
    const value = await job(
      'leaderboard_snapshot',
      async (span) => {
        activeSpanId = trace.getActiveSpan()?.spanContext().spanId;
        assert.equal(span.spanContext().spanId, activeSpanId);
        await new Promise((resolve) => setImmediate(resolve));
        return 42;
      },
      base,
    );
    assert.equal(value, 42);
    const runs = await metrics.points('shop.jobs.runs');
    assert.equal(valueAt(runs, { name: 'leaderboard_snapshot', result: 'success' }), 1);
    const duration = await metrics.points('shop.jobs.duration');
    const histogram = valueAt(duration, { name: 'leaderboard_snapshot' }) as { count: number; sum: number };
    assert.equal(histogram.count, 1);
    assert.ok(histogram.sum > 0 && histogram.sum < 5, `duration ${histogram.sum}s`);
    const span = tracing.spans().find((candidate) => candidate.name === 'job leaderboard_snapshot');
    assert.equal(span?.spanContext().spanId, activeSpanId);
    assert.equal(span?.attributes['sightline.job.name'], 'leaderboard_snapshot');
    assert.equal(span?.status.code, SpanStatusCode.UNSET);
  });

  it('records, logs and rethrows a failure by default', async () => {
    const logger = memoryLogger();
    const failure = new Error('snapshot table locked');
    await assert.rejects(
      job(
        'daily_rollover',
        () => {
          throw failure;
        },
        { ...base, logger },
      ),
      failure,
    );
    const runs = await metrics.points('shop.jobs.runs');
    assert.equal(valueAt(runs, { name: 'daily_rollover', result: 'failure' }), 1);
    assert.equal(valueAt(runs, { name: 'daily_rollover', result: 'success' }), undefined);
    const span = tracing.spans().find((candidate) => candidate.name === 'job daily_rollover');
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.status.message, 'snapshot table locked');
    assert.equal(span?.events[0]?.name, 'exception');
    assert.equal(logger.entries.length, 1);
    assert.equal(logger.entries[0]?.msg, 'job daily_rollover failed');
    assert.equal(logger.entries[0]?.obj.err, failure);
    assert.equal(logger.entries[0]?.obj.job, 'daily_rollover');
    assert.equal(typeof logger.entries[0]?.obj.duration_ms, 'number');
  });

  it('swallows a failure with rethrow: false and resolves undefined', async () => {
    const logger = memoryLogger();
    const value = await job('daily_rollover', () => Promise.reject(new Error('redis gone')), {
      ...base,
      logger,
      rethrow: false,
    });
    assert.equal(value, undefined);
    const runs = await metrics.points('shop.jobs.runs');
    assert.equal(valueAt(runs, { name: 'daily_rollover', result: 'failure' }), 2);
    assert.equal(logger.entries.length, 1);
  });

  it('survives a logger that throws', async () => {
    const broken: ErrorLogger = {
      error() {
        throw new Error('logger down');
      },
    };
    const value = await job('sweep', () => Promise.reject(new Error('boom')), {
      ...base,
      logger: broken,
      rethrow: false,
    });
    assert.equal(value, undefined);
  });

  it('records a job name that is not an identifier as other', async () => {
    await job('user 1234 export!', () => 'done', base);
    const runs = await metrics.points('shop.jobs.runs');
    assert.equal(valueAt(runs, { name: 'other', result: 'success' }), 1);
  });

  it('accepts a pino logger and falls back to the global meter without options', async () => {
    const logger = pino({ level: 'silent' });
    assert.equal(await job('noop', () => 'ok', { logger }), 'ok');
  });
});
