import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, it } from 'vitest';
import { init } from '../src/index.ts';
import { discardLogs } from './log-capture.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('no-op init()', () => {
  it('starts nothing when OBS_ENABLED=false: no tracer provider, no timers, no signal handler', async () => {
    process.env.OBS_ENABLED = 'false';
    const sigterm = process.listenerCount('SIGTERM');
    const handles = process.getActiveResourcesInfo().length;
    const sightline = init({ handleSigterm: true, logDestination: discardLogs() });
    assert.equal(sightline.enabled, false);
    assert.equal(sightline.config.enabled, false);
    assert.equal(process.listenerCount('SIGTERM'), sigterm);
    const span = sightline.tracer.startSpan('x');
    assert.equal(span.isRecording(), false, 'the tracer is the no-op tracer');
    span.end();
    assert.equal(trace.getTracerProvider().getTracer('y').startSpan('z').isRecording(), false);
    sightline.health.addReadinessProbe('redis', { timeoutMs: 50, check: async () => undefined });
    assert.equal(process.getActiveResourcesInfo().length, handles, 'no background health timer');
    assert.equal((await sightline.health.ready()).status, 'ok', 'readiness still answers on request');
    await sightline.shutdown();
    await sightline.shutdown();
  });

  it('falls back to a no-op after a config error outside production, with one stderr line', async () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      process.env.LOG_SAMPLING_RATE_INFO = 'lots';
      const sightline = init({ logDestination: discardLogs() });
      assert.equal(sightline.enabled, false);
      await sightline.shutdown();
    } finally {
      process.stderr.write = original;
    }
    assert.equal(written.length, 1);
    assert.match(written[0] ?? '', /SIGHTLINE_CONFIG_LOG_SAMPLING_RATE_INFO/);
  });

  it('throws on a config error in production so a bad deploy fails loudly', () => {
    process.env.NODE_ENV = 'production';
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'collector:4317';
    assert.throws(() => init({ logDestination: discardLogs() }), { code: 'SIGHTLINE_CONFIG_OTLP_ENDPOINT' });
  });

  it('refuses OBS_METRICS_PUBLIC in production', () => {
    assert.throws(() => init({ environment: 'production', metricsPublic: true, logDestination: discardLogs() }), {
      code: 'SIGHTLINE_CONFIG_METRICS_PUBLIC',
    });
  });
});
