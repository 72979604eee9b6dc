import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectorBinary, collectorConfigPath } from './collector.ts';
import { freePort } from './ports.ts';
import { type ManagedProcess, startManaged, tempDir } from './process.ts';

/** An OTLP/JSON attribute value as the file exporter writes it. */
export interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
  kvlistValue?: { values?: JsonKeyValue[] };
  bytesValue?: string;
}
export interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}
export interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: JsonKeyValue[];
  events?: Array<{ name: string; attributes?: JsonKeyValue[] }>;
  status?: { code?: number; message?: string };
}
export interface JsonLogRecord {
  traceId?: string;
  spanId?: string;
  severityText?: string;
  body?: JsonAnyValue;
  attributes?: JsonKeyValue[];
}
/** One OTLP export request, as one line of the sink's files. */
export interface JsonTracesRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: Array<{ spans?: JsonSpan[] }>;
  }>;
}
export interface JsonLogsRequest {
  resourceLogs?: Array<{
    resource?: { attributes?: JsonKeyValue[] };
    scopeLogs?: Array<{ logRecords?: JsonLogRecord[] }>;
  }>;
}
export interface JsonMetricsRequest {
  resourceMetrics?: Array<{ resource?: { attributes?: JsonKeyValue[] }; scopeMetrics?: unknown[] }>;
}

/** A second collector that stands in for Tempo and Loki, writing what it gets to JSON lines. */
export interface Sink {
  /** `127.0.0.1:<port>`: point otlp (gRPC) exporters here, e.g. `SIGHTLINE_TEMPO_ENDPOINT`. */
  readonly otlpGrpcEndpoint: string;
  /** `http://127.0.0.1:<port>`: point otlphttp exporters here, e.g. `SIGHTLINE_LOKI_OTLP_ENDPOINT`. */
  readonly otlpHttpUrl: string;
  readonly dir: string;
  readonly process: ManagedProcess;
  readTraces(): JsonTracesRequest[];
  readLogs(): JsonLogsRequest[];
  readMetrics(): JsonMetricsRequest[];
  /** Every span received so far, flattened, with its resource's attributes. */
  spans(): Array<JsonSpan & { resource: JsonKeyValue[] }>;
  /** Every log record received so far, flattened, with its resource's attributes. */
  logRecords(): Array<JsonLogRecord & { resource: JsonKeyValue[] }>;
  /** The raw text of all three files, for "does this string appear anywhere" checks. */
  rawText(): string;
  stop(): Promise<void>;
  logs(): string;
}

function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const parsed: T[] = [];
  for (const line of lines) {
    // The exporter may be mid-write on the last line; it is complete on the next read.
    if (line.trim() === '') continue;
    try {
      parsed.push(JSON.parse(line) as T);
    } catch {
      // partial trailing line
    }
  }
  return parsed;
}

/** Options for {@link startSink}. */
export interface SinkOptions {
  /** @default 'sink' */
  name?: string;
  /** @default 30000 */
  timeoutMs?: number;
  /** Listen here instead of a free port, e.g. to bring a "backend" up after an outage. */
  grpcPort?: number;
  httpPort?: number;
}

/** Starts the sink collector (collector/sink.yaml) on free loopback ports. */
export async function startSink(options: SinkOptions = {}): Promise<Sink> {
  const { name = 'sink', timeoutMs = 30_000 } = options;
  const grpcPort = options.grpcPort ?? (await freePort());
  const httpPort = options.httpPort ?? (await freePort());
  const healthPort = await freePort();
  const dir = tempDir('sink');
  const proc = await startManaged({
    name,
    command: collectorBinary(),
    args: ['--config', collectorConfigPath('sink.yaml')],
    env: {
      SINK_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpcPort}`,
      SINK_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
      SINK_HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
      SINK_DIR: dir,
    },
    readyUrl: `http://127.0.0.1:${healthPort}/`,
    timeoutMs,
  });
  const file = (signal: string) => join(dir, `${signal}.jsonl`);
  const readTraces = () => readJsonLines<JsonTracesRequest>(file('traces'));
  const readLogs = () => readJsonLines<JsonLogsRequest>(file('logs'));
  return {
    otlpGrpcEndpoint: `127.0.0.1:${grpcPort}`,
    otlpHttpUrl: `http://127.0.0.1:${httpPort}`,
    dir,
    process: proc,
    readTraces,
    readLogs,
    readMetrics: () => readJsonLines<JsonMetricsRequest>(file('metrics')),
    spans: () =>
      readTraces().flatMap((request) =>
        (request.resourceSpans ?? []).flatMap((rs) =>
          (rs.scopeSpans ?? []).flatMap((ss) =>
            (ss.spans ?? []).map((span) => ({ ...span, resource: rs.resource?.attributes ?? [] })),
          ),
        ),
      ),
    logRecords: () =>
      readLogs().flatMap((request) =>
        (request.resourceLogs ?? []).flatMap((rl) =>
          (rl.scopeLogs ?? []).flatMap((sl) =>
            (sl.logRecords ?? []).map((record) => ({ ...record, resource: rl.resource?.attributes ?? [] })),
          ),
        ),
      ),
    rawText: () =>
      ['traces', 'logs', 'metrics']
        .map((signal) => (existsSync(file(signal)) ? readFileSync(file(signal), 'utf8') : ''))
        .join('\n'),
    stop: () => proc.stop(),
    logs: () => proc.logs(),
  };
}

/** The value of attribute `key` in a JSON attribute list, as a plain JS value. */
export function jsonAttribute(attributes: JsonKeyValue[] | undefined, key: string): unknown {
  const found = attributes?.find((kv) => kv.key === key)?.value;
  return found === undefined ? undefined : fromJsonAnyValue(found);
}

/** Converts an OTLP/JSON AnyValue to a plain JS value. */
export function fromJsonAnyValue(value: JsonAnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(fromJsonAnyValue);
  if (value.kvlistValue !== undefined) {
    return Object.fromEntries(
      (value.kvlistValue.values ?? []).map((kv) => [kv.key, kv.value && fromJsonAnyValue(kv.value)]),
    );
  }
  return value.bytesValue;
}
