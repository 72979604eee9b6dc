// The SDK's own HTTP server instrumentation against @opentelemetry/instrumentation-http, which it
// replaced for incoming requests: the same requests through a real Node server, once with each, must
// give the same span names, kinds, attributes, statuses and parents, and the same
// `http.server.request.duration` series. The metric contract (docs/CONTRACT.md) and the collector's
// span metrics and tail sampling read exactly these.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { type Attributes, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { getRPCMetadata, RPCType, W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSpanName } from '../src/http/method.ts';
import { HttpServerInstrumentation } from '../src/http/server-instrumentation.ts';

type Http = typeof import('node:http');

interface Probe {
  method: string;
  path: string;
  headers?: Record<string, string>;
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

/** Requests covering each attribute's sources: forwarding headers, odd paths, methods, statuses. */
const PROBES: Probe[] = [
  { method: 'GET', path: '/users/42?sig=secret&page=2', headers: { 'user-agent': 'probe/1.0' } },
  { method: 'GET', path: '/users/7', headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } },
  { method: 'POST', path: '/orders', headers: { 'x-forwarded-for': '203.0.113.9:1234, 10.0.0.1' } },
  { method: 'GET', path: '/fail' },
  { method: 'GET', path: '/missing' },
  { method: 'PURGE', path: '/users/1' },
  { method: 'GET', path: '/users/../orders/%7Eme%20too?a=b+c' },
  {
    method: 'GET',
    path: '/users/9',
    headers: { forwarded: 'for="[2001:db8::1]:4711";host="example.com:8443";proto=https, for=198.51.100.17' },
  },
  // Malformed (a colon needs quotes): ignored by both.
  { method: 'GET', path: '/users/10', headers: { forwarded: 'for=192.0.2.1;host=example.com:8443' } },
  { method: 'GET', path: '/users/11', headers: { forwarded: 'for=192.0.2.43;proto=http' } },
  { method: 'GET', path: '/users/8', headers: { 'x-forwarded-host': 'api.example.com', 'x-forwarded-proto': 'https' } },
  { method: 'GET', path: '/users/5', headers: { host: '[::1]:9000' } },
  { method: 'DELETE', path: '/users/3', headers: { host: 'no-port.example' } },
];

/** The active span id when each request's body ended, in the order the requests ran. */
const activeAtEnd: Array<string | undefined> = [];

const routes: Record<string, string> = { users: '/users/:id', orders: '/orders', fail: '/fail' };

/** A plain Node server that sets the route the way the Fastify/Express integrations do. */
function handler(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse): void {
  const segment = (request.url ?? '/').split('/')[1]?.split('?')[0] ?? '';
  const route = routes[segment];
  const rpc = getRPCMetadata(context.active());
  if (route !== undefined && rpc?.type === RPCType.HTTP) rpc.route = route;
  request.resume();
  // The body's events come from the socket: they must still run in the request's context.
  request.on('end', () => {
    activeAtEnd.push(trace.getActiveSpan()?.spanContext().spanId);
    response.statusCode = segment === 'fail' ? 503 : route === undefined ? 404 : 200;
    response.end('{}');
  });
}

function send(http: Http, base: string, probe: Probe): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${probe.path}`, { method: probe.method, headers: probe.headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    request.on('error', reject);
    request.end(probe.method === 'POST' ? '{"a":1}' : undefined);
  });
}

interface Observed {
  spans: Array<{
    name: string;
    kind: number;
    attributes: Attributes;
    status: unknown;
    parent: string | undefined;
    trace: string;
  }>;
  series: Array<{ attributes: Attributes; count: number }>;
}

/** Sends every probe through a server patched by `instrumentation`, returns what it recorded. */
async function observe(
  http: Http,
  instrumentation: { setTracerProvider(p: TracerProvider): void; setMeterProvider(p: MeterProvider): void },
  enable: () => void,
  disable: () => void,
): Promise<Observed> {
  const spans = new InMemorySpanExporter();
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  enable();
  activeAtEnd.length = 0;
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  try {
    for (const probe of PROBES) await send(http, base, probe);
    await tracerProvider.forceFlush();
    await reader.forceFlush();
  } finally {
    disable();
    await new Promise((resolve) => server.close(resolve));
  }
  // One probe per method and target: sort on those, which both runs record identically.
  const key = ({ attributes }: { attributes: Attributes }) =>
    `${attributes['http.request.method_original'] ?? attributes['http.request.method']} ${attributes['url.path']}?${attributes['url.query']} ${attributes['http.response.status_code']}`;
  const byPath = (a: { attributes: Attributes }, b: { attributes: Attributes }) => key(a).localeCompare(key(b));
  const series =
    metrics
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === 'http.server.request.duration')
      .flatMap((metric) =>
        metric.dataPoints.map((point) => ({
          attributes: point.attributes,
          count: (point.value as { count: number }).count,
        })),
      ) ?? [];
  // Requests run one after another, so the finished server spans are in the same order.
  expect(activeAtEnd).toEqual(
    spans
      .getFinishedSpans()
      .filter((span) => span.kind === 1)
      .map((span) => span.spanContext().spanId),
  );
  return {
    spans: spans
      .getFinishedSpans()
      .filter((span: ReadableSpan) => span.kind === 1)
      .map((span) => {
        const { 'network.peer.port': peerPort, ...attributes } = span.attributes;
        expect(typeof peerPort).toBe('number');
        // The listening port differs between the two runs.
        if (attributes['server.port'] === port) attributes['server.port'] = 'listening port';
        return {
          name: span.name,
          kind: span.kind,
          attributes,
          status: span.status,
          parent: span.parentSpanContext?.spanId,
          trace: span.parentSpanContext === undefined ? 'new' : span.spanContext().traceId,
        };
      })
      .sort(byPath),
    series: series.sort(byPath),
  };
}

describe('HttpServerInstrumentation matches instrumentation-http for incoming requests', () => {
  let theirs: Observed;
  let ours: Observed;
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    // Configured as the SDK configured it for incoming requests until it replaced it.
    const upstream = new HttpInstrumentation({
      enabled: false,
      // Only the server side is compared; client spans would become the servers' parents.
      disableOutgoingRequestInstrumentation: true,
      requestHook: (span, request) => normalizeSpanName(span, request.method),
      applyCustomAttributesOnSpan: (span, request) => normalizeSpanName(span, request.method),
    });
    upstream.enable();
    // Loaded after enable(), so its require hook patches the module (as the SDK's preload does).
    const http = createRequire(import.meta.url)('node:http') as Http;
    upstream.disable();
    theirs = await observe(
      http,
      upstream,
      () => upstream.enable(),
      () => upstream.disable(),
    );
    const own = new HttpServerInstrumentation();
    own.disable();
    ours = await observe(
      http,
      own,
      () => own.enable(),
      () => own.disable(),
    );
  }, 30_000);

  afterAll(() => {
    context.disable();
    propagation.disable();
  });

  it('records one server span per request in both runs', () => {
    expect(theirs.spans).toHaveLength(PROBES.length);
    expect(ours.spans).toHaveLength(PROBES.length);
  });

  it('gives every span the same name, attributes, status and parent', () => {
    expect(ours.spans).toEqual(theirs.spans);
    // Content, not just equality of two empty shapes.
    const remote = ours.spans.find((span) => span.parent === PARENT_ID);
    expect(remote?.trace).toBe(TRACE_ID);
    expect(ours.spans.map((span) => span.name)).toContain('GET /users/:id');
    expect(ours.spans.map((span) => span.name)).toContain('_OTHER /users/:id');
  });

  it('records the same http.server.request.duration series', () => {
    expect(ours.series).toEqual(theirs.series);
    expect(ours.series.map((point) => point.attributes['http.response.status_code'])).toEqual(
      expect.arrayContaining([200, 404, 503]),
    );
    expect(
      ours.series.find((point) => point.attributes['http.response.status_code'] === 503)?.attributes,
    ).toMatchObject({
      'error.type': '503',
      'http.route': '/fail',
    });
  });
});
