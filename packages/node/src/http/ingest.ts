// POST /ops/ingest: Web Vitals and page spans from @sightline/web, validated and re-emitted as OTLP.
//
// Why through this SDK and not by relaying the browser's OTLP/HTTP to the collector: a browser can
// only send delta histograms (every page view is its own short-lived stream) and the collector's
// Prometheus remote-write exporter drops delta histograms. Recorded into this service's meter they
// become cumulative histograms like every other metric. Spans keep the browser's trace and span ids
// (so the page span and the API span share a trace) and go out over the SDK's OTLP/gRPC endpoint.
// Both enter the collector at its OTLP receiver, so its PII scrub and tail sampling apply as to any
// other span or metric.
import { type Attributes, type Histogram, type HrTime, type Meter, SpanKind, TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { z } from 'zod';
import { grpcUrl, type SightlineConfig } from '../config.js';
import type { Reply } from './core.js';

export const INGEST_ROUTE = '/ops/ingest';
/** Largest accepted body; a page's beacon is a few kB. */
export const INGEST_MAX_BODY_BYTES = 64 * 1024;

/** The vitals, their histogram buckets (Google's good/poor boundaries are bucket bounds) and units. */
export const WEB_VITALS = {
  'browser.web_vital.lcp': { unit: 's', buckets: [0.25, 0.5, 1, 1.8, 2.5, 3, 4, 6, 10, 20] },
  'browser.web_vital.fcp': { unit: 's', buckets: [0.25, 0.5, 1, 1.8, 2.5, 3, 4, 6, 10, 20] },
  'browser.web_vital.ttfb': { unit: 's', buckets: [0.05, 0.1, 0.2, 0.4, 0.8, 1.2, 1.8, 3, 6] },
  'browser.web_vital.inp': { unit: 's', buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5] },
  'browser.web_vital.cls': { unit: '1', buckets: [0.01, 0.05, 0.1, 0.15, 0.25, 0.5, 1] },
} as const;
type VitalMetric = keyof typeof WEB_VITALS;
const VITAL_NAMES = Object.keys(WEB_VITALS) as [VitalMetric, ...VitalMetric[]];
const RATINGS = ['good', 'needs-improvement', 'poor'] as const;
/** Route labels from pages: templates only, and at most this many distinct ones (then `other`). */
const MAX_ROUTES = 100;
const ROUTE = /^(\/[A-Za-z0-9._~:{}*/-]{0,127}|other)$/;
const RESOURCE_KEYS = [
  'service.name',
  'service.version',
  'deployment.environment.name',
  'telemetry.sdk.name',
  'telemetry.sdk.version',
] as const;
const SPAN_KEYS = ['page.route', 'http.request.method', 'http.response.status_code'] as const;

// ---- the payload: the subset of OTLP/JSON that @sightline/web writes, nothing else ----
/** Bounded text without control characters or unpaired surrogates (they would reach logs and labels). */
const str = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !/[\p{Cc}\p{Cs}]/u.test(v), 'expected text without control characters');
const nanos = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]).transform(String);
const anyValue = z.union([
  z.strictObject({ stringValue: str(128) }),
  z.strictObject({ intValue: z.union([z.string().regex(/^-?\d{1,15}$/), z.number().int()]).transform(Number) }),
  z.strictObject({ doubleValue: z.number() }),
]);
const keyValue = <K extends readonly [string, ...string[]]>(keys: K) =>
  z.strictObject({ key: z.enum(keys), value: anyValue });
const resource = z.strictObject({ attributes: z.array(keyValue(RESOURCE_KEYS)).max(RESOURCE_KEYS.length) });
const scope = z.strictObject({ name: str(64), version: str(32).optional() });
const dataPoint = z.strictObject({
  attributes: z.array(keyValue(['route', 'rating'])).length(2),
  startTimeUnixNano: nanos.optional(),
  timeUnixNano: nanos,
  count: z.union([z.literal('1'), z.literal(1)]),
  // An hour for a timing, 100 for CLS: anything larger is not a measurement.
  sum: z.number().min(0).max(3600),
});
const metric = z.strictObject({
  name: z.enum(VITAL_NAMES),
  unit: str(8).optional(),
  histogram: z.strictObject({
    aggregationTemporality: z.literal(1),
    dataPoints: z.array(dataPoint).min(1).max(50),
  }),
});
const span = z.strictObject({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  parentSpanId: z
    .string()
    .regex(/^([0-9a-f]{16})?$/)
    .optional(),
  name: z.enum(['documentLoad', 'HTTP GET', 'HTTP POST', 'HTTP PUT', 'HTTP PATCH', 'HTTP DELETE', 'HTTP HEAD']),
  kind: z.union([z.literal(1), z.literal(3)]),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes: z.array(keyValue(SPAN_KEYS)).max(SPAN_KEYS.length),
  status: z.strictObject({ code: z.literal(2) }).optional(),
});
/** What `POST /ops/ingest` accepts: at least one of the two OTLP/JSON halves @sightline/web sends. */
export const ingestPayload = z
  .strictObject({
    resourceMetrics: z
      .array(
        z.strictObject({
          resource,
          scopeMetrics: z.array(z.strictObject({ scope: scope.optional(), metrics: z.array(metric).max(5) })).max(1),
        }),
      )
      .max(1)
      .optional(),
    resourceSpans: z
      .array(
        z.strictObject({
          resource,
          scopeSpans: z.array(z.strictObject({ scope: scope.optional(), spans: z.array(span).max(100) })).max(1),
        }),
      )
      .max(1)
      .optional(),
  })
  .refine((p) => p.resourceMetrics !== undefined || p.resourceSpans !== undefined, {
    message: 'expected resourceMetrics or resourceSpans',
  });
export type IngestPayload = z.infer<typeof ingestPayload>;

/** Token bucket per client address prefix; the map is bounded, least recently seen evicted first. */
export class PrefixRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly burst = 20,
    private readonly perSecond = 2,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    this.buckets.delete(key);
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return allowed;
  }
}

const attrs = (list: { key: string; value: { stringValue?: string; intValue?: number; doubleValue?: number } }[]) => {
  const out: Attributes = {};
  for (const { key, value } of list) out[key] = value.stringValue ?? value.intValue ?? value.doubleValue;
  return out;
};
const hrTime = (nanoString: string): HrTime => {
  const n = BigInt(nanoString);
  return [Number(n / 1_000_000_000n), Number(n % 1_000_000_000n)];
};
const hrDiff = (a: HrTime, b: HrTime): HrTime => {
  const nanosTotal = Math.max(0, (b[0] - a[0]) * 1e9 + (b[1] - a[1]));
  return [Math.floor(nanosTotal / 1e9), nanosTotal % 1e9];
};

/** Explains the first schema issue with its path, e.g. `resourceMetrics.0...name: Invalid option`. */
function explain(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.join('.') || '(body)';
  return `invalid vitals payload at ${path}: ${issue?.message ?? 'invalid'}`;
}

/** Options of {@link WebIngest}; defaults suit one front end per service. */
export interface WebIngestOptions {
  /** Where spans go; defaults to OTLP/gRPC at the SDK's `otlpEndpoint`. */
  spanExporter?: SpanExporter;
  /** Requests per second per client /16 (IPv4) or /32 (IPv6) prefix. @default 2 */
  ratePerSecond?: number;
  /** Burst per prefix. @default 20 */
  burst?: number;
}

/** Validates a beacon and re-emits it: vitals into this service's histograms, spans to the collector. */
export class WebIngest {
  private readonly limiter: PrefixRateLimiter;
  private readonly histograms = new Map<VitalMetric, Histogram>();
  private readonly routes = new Set<string>();
  private processor: BatchSpanProcessor | undefined;

  constructor(
    private readonly config: SightlineConfig,
    meter: Meter,
    private readonly options: WebIngestOptions = {},
  ) {
    this.limiter = new PrefixRateLimiter(options.burst, options.ratePerSecond);
    for (const name of VITAL_NAMES) {
      const { unit, buckets } = WEB_VITALS[name];
      this.histograms.set(
        name,
        meter.createHistogram(name, {
          unit,
          description: `Web Vital ${name.split('.').pop()?.toUpperCase()} reported by pages (@sightline/web)`,
          advice: { explicitBucketBoundaries: [...buckets] },
        }),
      );
    }
  }

  /** A route label from a page, kept to a bounded set: the first MAX_ROUTES distinct templates, then `other`. */
  private route(value: unknown): string {
    const route = typeof value === 'string' && ROUTE.test(value) ? value : 'other';
    if (this.routes.has(route)) return route;
    if (this.routes.size >= MAX_ROUTES) return 'other';
    this.routes.add(route);
    return route;
  }

  private spans(): BatchSpanProcessor {
    // Created on first use, so a service that never receives a beacon opens no second connection.
    this.processor ??= new BatchSpanProcessor({
      exporter: this.options.spanExporter ?? new OTLPTraceExporter({ url: grpcUrl(this.config.otlpEndpoint) }),
      maxQueueSize: 1024,
      maxExportBatchSize: 128,
      scheduledDelayMillis: 1000,
    });
    return this.processor;
  }

  /** Handles one request body from `clientAddress`: 202 accepted, 400 invalid, 429 over the rate. */
  handle(body: unknown, clientKey: string): Reply {
    if (!this.limiter.take(clientKey))
      return { status: 429, body: { error: 'rate_limited', message: 'too many beacons from this network' } };
    let parsedBody = body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      try {
        parsedBody = JSON.parse(String(body));
      } catch {
        return { status: 400, body: { error: 'invalid_json', message: 'body is not JSON' } };
      }
    }
    const result = ingestPayload.safeParse(parsedBody);
    if (!result.success) return { status: 400, body: { error: 'invalid_payload', message: explain(result.error) } };
    const payload = result.data;
    let points = 0;
    if (this.config.metricsEnabled) {
      for (const rm of payload.resourceMetrics ?? [])
        for (const sm of rm.scopeMetrics)
          for (const m of sm.metrics)
            for (const dp of m.histogram.dataPoints) {
              const labels = attrs(dp.attributes);
              const rating = RATINGS.find((r) => r === labels.rating) ?? 'other';
              this.histograms.get(m.name)?.record(dp.sum, { route: this.route(labels.route), rating });
              points++;
            }
    }
    let spans = 0;
    if (this.config.tracingEnabled) {
      for (const rs of payload.resourceSpans ?? []) {
        const res = resourceFromAttributes(attrs(rs.resource.attributes));
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans) {
            const startTime = hrTime(s.startTimeUnixNano);
            const endTime = hrTime(s.endTimeUnixNano);
            const readable: ReadableSpan = {
              name: s.name,
              kind: s.kind === 3 ? SpanKind.CLIENT : SpanKind.INTERNAL,
              spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: TraceFlags.SAMPLED }),
              ...(s.parentSpanId && {
                parentSpanContext: {
                  traceId: s.traceId,
                  spanId: s.parentSpanId,
                  traceFlags: TraceFlags.SAMPLED,
                  isRemote: true,
                },
              }),
              startTime,
              endTime,
              duration: hrDiff(startTime, endTime),
              status: { code: s.status ? 2 : 0 },
              attributes: attrs(s.attributes),
              links: [],
              events: [],
              ended: true,
              resource: res,
              instrumentationScope: { name: ss.scope?.name ?? '@sightline/web', version: ss.scope?.version },
              droppedAttributesCount: 0,
              droppedEventsCount: 0,
              droppedLinksCount: 0,
            };
            this.spans().onEnd(readable);
            spans++;
          }
      }
    }
    return { status: 202, body: { accepted: { points, spans } } };
  }

  async shutdown(): Promise<void> {
    await this.processor?.shutdown();
  }
}
