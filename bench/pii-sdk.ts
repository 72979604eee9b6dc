/**
 * SDK cost of the shared PII rules per exported span and per log line: real spans from the
 * SDK's tracer (HTTP server attributes, one in ten with an email and coordinates in the query),
 * scrubbed by PiiSpanExporter into a no-op exporter; log objects through the logger's scrubber.
 *
 *   node --import tsx bench/pii-sdk.ts
 */
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { PiiSpanExporter, shippedPiiRules } from '../packages/node/src/pii/index.ts';
import { scrubObject } from '../packages/node/src/redact.ts';

const memory = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
const tracer = provider.getTracer('bench');
for (let i = 0; i < 1000; i++) {
  const span = tracer.startSpan('GET /api/orders/:orderId', {
    attributes: {
      'http.route': '/api/orders/:orderId',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.path': `/api/orders/ORD-2024-${String(i).padStart(6, '0')}`,
      'client.address': '203.0.113.195',
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
      ...(i % 10 === 0 ? { 'url.query': 'to=maria.gonzalez%40example.com&lat=41.0082376&lon=28.9783589' } : {}),
    },
  });
  span.end();
}
await provider.forceFlush();
const spans = memory.getFinishedSpans();
const rules = shippedPiiRules();
const exporter = new PiiSpanExporter({ export: (_s, done) => done({ code: 0 }), shutdown: async () => {} }, rules);
const time = (rounds: number, fn: () => void) => {
  fn();
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) fn();
  return Number(process.hrtime.bigint() - start) / 1000 / rounds;
};
const perBatch = time(50, () => exporter.export(spans, () => {}));
const line = {
  req: { method: 'GET', url: '/api/orders/ORD-2024-000123', remoteAddress: '203.0.113.195' },
  responseTime: 4.2,
};
const perLine = time(20_000, () => scrubObject(line));
// The shared rules' share of that: the same strings through them alone.
const strings = [line.req.method, line.req.url, line.req.remoteAddress];
const perLineRules = time(20_000, () => {
  for (const s of strings) rules.scrubString(s);
});
console.log(
  JSON.stringify({
    usPerSpan: Number((perBatch / spans.length).toFixed(2)),
    usPerLogObject: Number(perLine.toFixed(2)),
    usPerLogObjectSharedRules: Number(perLineRules.toFixed(2)),
    node: process.version,
  }),
);
