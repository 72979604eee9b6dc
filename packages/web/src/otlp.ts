// Hand-written OTLP/JSON (the protobuf JSON mapping): a few hundred bytes of code instead of the
// OpenTelemetry browser SDK, which alone is several times the bundle budget.
import { VITALS, type VitalSample } from './vitals.js';

export const SCOPE = { name: '@sightline/web', version: '0.1.0' };

/** One finished browser span. Times are epoch milliseconds. */
export interface WebSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  name: string;
  /** OTLP SpanKind: 1 internal, 3 client. */
  kind: 1 | 3;
  start: number;
  end: number;
  attributes: Record<string, string | number>;
  error?: boolean;
}

type KeyValue = { key: string; value: { stringValue: string } | { intValue: string } | { doubleValue: number } };

function keyValues(attributes: Record<string, string | number>): KeyValue[] {
  return Object.entries(attributes).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string' ? { stringValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
}

/** Epoch milliseconds to the decimal nanosecond string OTLP/JSON uses, exact to the microsecond. */
export function nanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

export function resource(attributes: Record<string, string>): { attributes: KeyValue[] } {
  return { attributes: keyValues(attributes) };
}

/**
 * Each sample is one delta histogram point of count 1 (no buckets: the receiving service or a
 * delta-to-cumulative collector aggregates them), labelled with its route template and rating.
 */
export function metricsRequest(res: { attributes: KeyValue[] }, samples: VitalSample[]) {
  const byMetric = new Map<
    string,
    { name: string; unit: string; histogram: { aggregationTemporality: 1; dataPoints: unknown[] } }
  >();
  for (const sample of samples) {
    const vital = VITALS[sample.name];
    let metric = byMetric.get(vital.metric);
    if (metric === undefined) {
      metric = { name: vital.metric, unit: vital.unit, histogram: { aggregationTemporality: 1, dataPoints: [] } };
      byMetric.set(vital.metric, metric);
    }
    metric.histogram.dataPoints.push({
      attributes: keyValues({ route: sample.route, rating: sample.rating }),
      timeUnixNano: nanos(sample.at),
      count: '1',
      sum: sample.value,
    });
  }
  return { resourceMetrics: [{ resource: res, scopeMetrics: [{ scope: SCOPE, metrics: [...byMetric.values()] }] }] };
}

export function tracesRequest(res: { attributes: KeyValue[] }, spans: WebSpan[]) {
  return {
    resourceSpans: [
      {
        resource: res,
        scopeSpans: [
          {
            scope: SCOPE,
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId && { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: nanos(s.start),
              endTimeUnixNano: nanos(s.end),
              attributes: keyValues(s.attributes),
              ...(s.error && { status: { code: 2 } }),
            })),
          },
        ],
      },
    ],
  };
}
