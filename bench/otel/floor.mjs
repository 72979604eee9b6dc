// Preloaded with --import by the benchmark's `otel-floor` variant (bench/lib/variants.ts): the least any
// instrumentation built on OpenTelemetry's JS SDK pays to export every request's span. NodeSDK with no
// instrumentation library and no ESM hook; one SERVER span per request, started and ended from Node's own
// `http.server.request.start` / `http.server.response.finish` diagnostics channels, with four attributes
// (no route: the raw request does not know it) and no context propagation, batched and exported over OTLP/gRPC like the other variants. No client
// spans, no metrics recorded, no log records: a lower bound, not something a user would deploy.
import { subscribe } from 'node:diagnostics_channel';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { startNodeSdk } from './nodesdk.mjs';

startNodeSdk({ instrumentations: [], esmHook: false });

const tracer = trace.getTracer('bench-floor');
const spans = new WeakMap();

subscribe('http.server.request.start', ({ request }) => {
  const target = request.url ?? '/';
  const query = target.indexOf('?');
  const span = tracer.startSpan(request.method ?? '_OTHER', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': request.method,
      'url.path': query === -1 ? target : target.slice(0, query),
      'url.scheme': 'http',
    },
  });
  spans.set(request, span);
});

subscribe('http.server.response.finish', ({ request, response }) => {
  const span = spans.get(request);
  if (span === undefined) return;
  span.setAttribute('http.response.status_code', response.statusCode);
  if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
});
