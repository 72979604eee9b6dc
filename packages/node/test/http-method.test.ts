// Unknown HTTP methods through the SDK on a real Fastify server: `_OTHER` in the server and client
// span names, in `http.request.method` (the original in `http.request.method_original`) and in the
// `http.server.request.duration` metric, so a client inventing methods grows no series.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeMethod } from '../src/http/method.ts';
import { init, type Sightline, sightlineFastify } from '../src/index.ts';

const spans = new InMemorySpanExporter();
const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
for (const exporter of [spans, metrics]) exporter.shutdown = async () => {};

let sightline: Sightline;
let base: string;
let close: () => Promise<void>;

/** Sends `method` to `path` with Node's client (fetch refuses some methods) and returns the status. */
function send(method: string, path: string): Promise<number> {
  // Required after init(), so the HTTP instrumentation has patched the client too; inside a span,
  // since the SDK records no client span that would start a trace.
  const { request } = createRequire(import.meta.url)('node:http') as typeof import('node:http');
  return trace
    .getTracer('method-test')
    .startActiveSpan(`send ${method}`, (parent) => sendIn(request, method, path).finally(() => parent.end()));
}

function sendIn(request: typeof import('node:http').request, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  sightline = init({
    serviceName: 'method-test',
    environment: 'test',
    metricExportIntervalMs: 60_000,
    disabledInstrumentations: ['runtime'],
    logDestination: { write: () => {} },
    exporters: { spans, metrics },
  });
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  await app.register(sightlineFastify, { sightline });
  app.get('/users/:id', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  close = () => app.close();
});

afterAll(async () => {
  await close?.();
  await sightline?.shutdown();
});

describe('unknown HTTP methods', () => {
  it('normalises like the semantic conventions', () => {
    expect(['GET', 'get', 'PATCH', 'QUERY', 'PURGE', 'PROPFIND', 'FOO'].map(normalizeMethod)).toEqual([
      'GET',
      'GET',
      'PATCH',
      'QUERY',
      '_OTHER',
      '_OTHER',
      '_OTHER',
    ]);
  });

  it('become _OTHER in span names, span attributes and the request-duration metric', async () => {
    // Methods Node's parser accepts but the conventions do not know, and a known one for contrast.
    expect(await send('PURGE', '/users/1')).toBe(404);
    expect(await send('PROPFIND', '/nowhere')).toBe(404);
    expect(await send('MKCOL', '/users/2')).toBe(404);
    expect(await send('GET', '/users/3')).toBe(200);
    await sightline.shutdown();

    const finished = spans.getFinishedSpans();
    const server = finished.filter((s) => s.kind === 1);
    const names = server.map((s) => s.name);
    expect(names.filter((n) => /^(PURGE|PROPFIND|MKCOL)\b/.test(n))).toEqual([]);
    expect(names.filter((n) => n.startsWith('_OTHER')).length).toBe(3);
    expect(names).toContain('GET /users/:id');
    for (const span of server.filter((s) => s.name.startsWith('_OTHER'))) {
      expect(span.attributes['http.request.method']).toBe('_OTHER');
      expect(['PURGE', 'PROPFIND', 'MKCOL']).toContain(span.attributes['http.request.method_original']);
    }
    // The test's own requests are client spans: the same rule.
    const client = finished.filter((s) => s.kind === 2);
    expect(client.map((s) => s.name).sort()).toEqual(['GET', '_OTHER', '_OTHER', '_OTHER']);
    expect(client.filter((s) => s.name === '_OTHER').map((s) => s.attributes['http.request.method'])).toEqual([
      '_OTHER',
      '_OTHER',
      '_OTHER',
    ]);

    const duration = metrics
      .getMetrics()
      .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
      .filter((m) => m.descriptor.name === 'http.server.request.duration')
      .flatMap((m) => m.dataPoints as Array<{ attributes: Record<string, unknown> }>);
    const methods = new Set(duration.map((p) => p.attributes['http.request.method']));
    expect([...methods].sort()).toEqual(['GET', '_OTHER']);
  });
});
