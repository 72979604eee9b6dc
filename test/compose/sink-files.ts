// Reads what the compose test's sinks (collector/sink.yaml standing in for Tempo and Loki) wrote:
// JSON lines, one OTLP export request per line, in <dir>/traces.jsonl and <dir>/logs.jsonl.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonKeyValue, JsonLogRecord, JsonLogsRequest, JsonSpan, JsonTracesRequest } from '@sightline/harness';

function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const parsed: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      parsed.push(JSON.parse(line) as T);
    } catch {
      // The exporter may be mid-write on the last line; it is complete on the next read.
    }
  }
  return parsed;
}

export type SinkSpan = JsonSpan & { resource: JsonKeyValue[] };
export type SinkLogRecord = JsonLogRecord & { resource: JsonKeyValue[] };

/** Every span the Tempo stand-in received, with its resource attributes. */
export function sinkSpans(dir: string): SinkSpan[] {
  return readJsonLines<JsonTracesRequest>(join(dir, 'traces.jsonl')).flatMap((request) =>
    (request.resourceSpans ?? []).flatMap((rs) =>
      (rs.scopeSpans ?? []).flatMap((ss) =>
        (ss.spans ?? []).map((span) => ({ ...span, resource: rs.resource?.attributes ?? [] })),
      ),
    ),
  );
}

/** Every log record the Loki stand-in received, with its resource attributes. */
export function sinkLogRecords(dir: string): SinkLogRecord[] {
  return readJsonLines<JsonLogsRequest>(join(dir, 'logs.jsonl')).flatMap((request) =>
    (request.resourceLogs ?? []).flatMap((rl) =>
      (rl.scopeLogs ?? []).flatMap((sl) =>
        (sl.logRecords ?? []).map((record) => ({ ...record, resource: rl.resource?.attributes ?? [] })),
      ),
    ),
  );
}

/** A span's duration in milliseconds. */
export function durationMs(span: JsonSpan): number {
  return Number((BigInt(span.endTimeUnixNano ?? '0') - BigInt(span.startTimeUnixNano ?? '0')) / 1_000_000n);
}
