/**
 * Raw OTLP/HTTP-JSON senders for tests: they play a service that does NOT use the SDK (and so
 * redacts nothing), which is exactly what the collector must still make safe.
 */

/** A plain JS attribute value; arrays become OTLP arrays, objects become kvlists. */
export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

/** OTLP span kinds (numeric in OTLP/JSON). */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
/** OTLP status codes. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** Encodes a JS value as an OTLP/JSON AnyValue. Integers become intValue, other numbers doubleValue. */
export function anyValue(value: AttributeValue): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { kvlistValue: { values: keyValues(value) } };
}

/** Encodes an attribute record as an OTLP/JSON KeyValue list. */
export function keyValues(attributes: Attributes): Array<{ key: string; value: Record<string, unknown> }> {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** A deterministic PRNG (mulberry32), so generated ids and therefore sampling outcomes repeat. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `bytes` random bytes as lowercase hex (OTLP/JSON encodes trace and span ids as hex). */
export function randomHexId(bytes: 16 | 8, random: () => number = Math.random): string {
  let hex = '';
  for (let i = 0; i < bytes; i++)
    hex += Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0');
  return hex;
}

/** Milliseconds since the epoch as an OTLP nanosecond string. */
export function unixNanos(ms: number): string {
  return `${BigInt(Math.round(ms)) * 1_000_000n}`;
}

/** One span to send; times in epoch milliseconds. */
export interface SpanInput {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startMs: number;
  endMs: number;
  attributes?: Attributes;
  status?: { code: number; message?: string };
  events?: Array<{ name: string; timeMs: number; attributes?: Attributes }>;
}

/** A traces export request for one resource. */
export function tracesRequest(resource: Attributes, spans: SpanInput[]): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [
          {
            scope: { name: 'raw-otlp-test' },
            spans: spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
              name: span.name,
              kind: span.kind ?? SpanKind.INTERNAL,
              startTimeUnixNano: unixNanos(span.startMs),
              endTimeUnixNano: unixNanos(span.endMs),
              attributes: keyValues(span.attributes ?? {}),
              events: (span.events ?? []).map((event) => ({
                name: event.name,
                timeUnixNano: unixNanos(event.timeMs),
                attributes: keyValues(event.attributes ?? {}),
              })),
              status: span.status ?? { code: StatusCode.UNSET },
            })),
          },
        ],
      },
    ],
  };
}

/** One log record to send. */
export interface LogInput {
  timeMs: number;
  body: AttributeValue;
  severityText?: string;
  severityNumber?: number;
  attributes?: Attributes;
  traceId?: string;
  spanId?: string;
}

/** A logs export request for one resource. */
export function logsRequest(resource: Attributes, records: LogInput[]): unknown {
  return {
    resourceLogs: [
      {
        resource: { attributes: keyValues(resource) },
        scopeLogs: [
          {
            scope: { name: 'raw-otlp-test' },
            logRecords: records.map((record) => ({
              timeUnixNano: unixNanos(record.timeMs),
              observedTimeUnixNano: unixNanos(record.timeMs),
              severityText: record.severityText ?? 'INFO',
              severityNumber: record.severityNumber ?? 9,
              body: anyValue(record.body),
              attributes: keyValues(record.attributes ?? {}),
              ...(record.traceId === undefined ? {} : { traceId: record.traceId }),
              ...(record.spanId === undefined ? {} : { spanId: record.spanId }),
            })),
          },
        ],
      },
    ],
  };
}

/** One monotonic cumulative sum data point per attribute set. */
export interface CounterInput {
  name: string;
  unit?: string;
  points: Array<{ attributes: Attributes; value: number }>;
  startMs: number;
  timeMs: number;
}

/** A metrics export request with cumulative monotonic sums for one resource. */
export function countersRequest(resource: Attributes, counters: CounterInput[]): unknown {
  return {
    resourceMetrics: [
      {
        resource: { attributes: keyValues(resource) },
        scopeMetrics: [
          {
            scope: { name: 'raw-otlp-test' },
            metrics: counters.map((counter) => ({
              name: counter.name,
              unit: counter.unit ?? '',
              sum: {
                aggregationTemporality: 2,
                isMonotonic: true,
                dataPoints: counter.points.map((point) => ({
                  attributes: keyValues(point.attributes),
                  startTimeUnixNano: unixNanos(counter.startMs),
                  timeUnixNano: unixNanos(counter.timeMs),
                  asDouble: point.value,
                })),
              },
            })),
          },
        ],
      },
    ],
  };
}

/** POSTs one OTLP/JSON export request to `<baseUrl>/v1/<signal>`; throws on a non-2xx answer. */
export async function postOtlpJson(
  baseUrl: string,
  signal: 'traces' | 'logs' | 'metrics',
  request: unknown,
): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    throw new Error(`OTLP ${signal} export to ${baseUrl} failed: ${response.status} ${await response.text()}`);
  }
}
