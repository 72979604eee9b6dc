// The span and log exporters that scrub and serialise a batch in slices between event-loop turns
// (src/sliced-export.ts), against the real collector (the sink config writes one JSON line per OTLP
// request it receives): a batch still arrives as one request with every item and attribute, scrubbed;
// export() returns before any work is done; other macrotasks run between slices; and a busy loop does
// not leave a batch waiting for one slice per turn.
import { performance } from 'node:perf_hooks';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { fromJsonAnyValue, jsonAttribute, type Sink, startSink, waitFor } from '@sightline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logRecordScrubber, shippedPiiRules, spanScrubber } from '../src/pii/index.ts';
import { EXPORT_SLICE_SIZE, slicedLogExporter, slicedSpanExporter } from '../src/sliced-export.ts';

const resource = resourceFromAttributes({ 'service.name': 'sliced-export-test', 'service.version': '1.2.3' });
const EMAIL = 'alice@example.com';

async function makeSpans(count: number): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('sliced-export-test');
  for (let i = 0; i < count; i++) {
    tracer
      .startSpan(`span-${i}`, {
        attributes: { 'http.request.method': 'GET', 'app.index': i, 'app.note': `contact ${EMAIL} about ${i}` },
      })
      .end();
  }
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  expect(spans).toHaveLength(count);
  return spans;
}

async function makeLogRecords(count: number): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = provider.getLogger('sliced-export-test');
  for (let i = 0; i < count; i++) {
    logger.emit({ body: { msg: `order ${i} placed`, email: EMAIL }, attributes: { 'app.index': i } });
  }
  await provider.forceFlush();
  const records = memory.getFinishedLogRecords();
  expect(records).toHaveLength(count);
  return records;
}

function exportOnce<Item>(
  exporter: { export(items: Item[], done: (result: ExportResult) => void): void },
  items: Item[],
): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a stand-in for CPU work on the event loop
  }
}

describe('sliced OTLP export', () => {
  let sink: Sink;
  const rules = shippedPiiRules();
  beforeAll(async () => {
    sink = await startSink({ name: 'sliced-export-sink' });
  });
  afterAll(async () => {
    await sink?.stop();
  });

  it('sends a span batch as one OTLP request holding every span, in order, scrubbed', async () => {
    const spans = await makeSpans(100);
    const exporter = slicedSpanExporter(`http://${sink.otlpGrpcEndpoint}`, spanScrubber(rules));
    const before = sink.readTraces().length;
    expect(await exportOnce(exporter, spans)).toEqual({ code: ExportResultCode.SUCCESS });
    const requests = await waitFor(() => sink.readTraces().length > before && sink.readTraces().slice(before), {
      what: 'the span batch at the sink',
    });
    expect(requests).toHaveLength(1);
    const entries = requests[0]?.resourceSpans ?? [];
    // One resource entry per slice, each with the full resource.
    expect(entries).toHaveLength(Math.ceil(100 / EXPORT_SLICE_SIZE));
    for (const entry of entries) {
      expect(jsonAttribute(entry.resource?.attributes, 'service.name')).toBe('sliced-export-test');
      expect(jsonAttribute(entry.resource?.attributes, 'service.version')).toBe('1.2.3');
    }
    const received = entries.flatMap((entry) => (entry.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []));
    expect(received.map((span) => span.name)).toEqual(spans.map((span) => span.name));
    received.forEach((span, i) => {
      expect(span.spanId).toBe(spans[i]?.spanContext().spanId);
      expect(jsonAttribute(span.attributes, 'http.request.method')).toBe('GET');
      expect(Number(jsonAttribute(span.attributes, 'app.index'))).toBe(i);
      const note = jsonAttribute(span.attributes, 'app.note');
      expect(note).toBe(rules.scrubString(`contact ${EMAIL} about ${i}`));
      expect(String(note)).not.toContain(EMAIL);
    });
    await exporter.shutdown();
  });

  it('sends a log batch as one OTLP request with bodies scrubbed at depth', async () => {
    const records = await makeLogRecords(40);
    const exporter = slicedLogExporter(`http://${sink.otlpGrpcEndpoint}`, logRecordScrubber(rules));
    const before = sink.readLogs().length;
    expect(await exportOnce(exporter, records)).toEqual({ code: ExportResultCode.SUCCESS });
    const requests = await waitFor(() => sink.readLogs().length > before && sink.readLogs().slice(before), {
      what: 'the log batch at the sink',
    });
    expect(requests).toHaveLength(1);
    const entries = requests[0]?.resourceLogs ?? [];
    expect(entries).toHaveLength(Math.ceil(40 / EXPORT_SLICE_SIZE));
    const received = entries.flatMap((entry) => (entry.scopeLogs ?? []).flatMap((scope) => scope.logRecords ?? []));
    expect(received.map((record) => Number(jsonAttribute(record.attributes, 'app.index')))).toEqual(
      records.map((_, i) => i),
    );
    received.forEach((record, i) => {
      const body = fromJsonAnyValue(record.body as never) as Record<string, unknown>;
      expect(body.msg).toBe(`order ${i} placed`);
      expect(body).toEqual(rules.scrubValue({ msg: `order ${i} placed`, email: EMAIL }));
    });
    expect(sink.rawText()).not.toContain(EMAIL);
    await exporter.shutdown();
  });

  it('returns before any work and lets other macrotasks run between slices', async () => {
    const spans = await makeSpans(5 * EXPORT_SLICE_SIZE);
    const events: string[] = [];
    const slow = spanScrubber(rules);
    // Each slice takes longer than a step's minimum, so a quiet loop gets one slice per turn.
    const exporter = slicedSpanExporter(`http://${sink.otlpGrpcEndpoint}`, (slice) => {
      events.push('slice');
      busy(0.5);
      return slow(slice);
    });
    let exporting = true;
    const tick = () => {
      events.push('tick');
      if (exporting) setImmediate(tick);
    };
    const done = exportOnce(exporter, spans);
    expect(events).toEqual([]);
    setImmediate(tick);
    expect(await done).toEqual({ code: ExportResultCode.SUCCESS });
    exporting = false;
    const slices = events.flatMap((event, i) => (event === 'slice' ? [i] : []));
    expect(slices).toHaveLength(5);
    for (let k = 1; k < slices.length; k++) {
      const between = events.slice((slices[k - 1] as number) + 1, slices[k]);
      expect(between, `macrotasks between slices ${k} and ${k + 1}: ${events.join(' ')}`).toContain('tick');
    }
    await exporter.shutdown();
  });

  it('takes more slices per turn when the loop is busy, so a batch does not wait one slice per turn', async () => {
    const spans = await makeSpans(32 * EXPORT_SLICE_SIZE);
    const events: string[] = [];
    const scrub = spanScrubber(rules);
    const exporter = slicedSpanExporter(`http://${sink.otlpGrpcEndpoint}`, (slice) => {
      events.push('slice');
      busy(0.1);
      return scrub(slice);
    });
    let exporting = true;
    // A saturated service: every other macrotask is 8 ms of request work.
    const turn = () => {
      events.push('turn');
      busy(8);
      if (exporting) setImmediate(turn);
    };
    setImmediate(turn);
    const result = await exportOnce(exporter, spans);
    exporting = false;
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(events.filter((event) => event === 'slice')).toHaveLength(32);
    const turnsBeforeLastSlice = events.slice(0, events.lastIndexOf('slice')).filter((e) => e === 'turn').length;
    // One slice per turn would need 32 turns; a quarter of an 8 ms turn is 2 ms, several slices of 0.1 ms
    // plus their scrub and encoding (3 to 6 measured).
    expect(turnsBeforeLastSlice, events.join(' ')).toBeLessThanOrEqual(16);
    await exporter.shutdown();
  });

  it('forceFlush waits for a batch that is still being sliced, and it reaches the collector', async () => {
    const spans = await makeSpans(4 * EXPORT_SLICE_SIZE);
    const scrub = spanScrubber(rules);
    const exporter = slicedSpanExporter(`http://${sink.otlpGrpcEndpoint}`, (slice) => {
      busy(0.5);
      return scrub(slice);
    });
    const before = sink.spans().length;
    let result: ExportResult | undefined;
    exporter.export(spans, (r) => {
      result = r;
    });
    await exporter.forceFlush();
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    await waitFor(() => sink.spans().length - before >= spans.length, { what: 'the flushed spans at the sink' });
    await exporter.shutdown();
  });

  it('reports a batch that cannot be prepared as failed, and sends nothing', async () => {
    const spans = await makeSpans(3);
    const exporter = slicedSpanExporter(`http://${sink.otlpGrpcEndpoint}`, () => {
      throw new Error('scrub failed');
    });
    const before = sink.readTraces().length;
    const result = await exportOnce(exporter, spans);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toBe('scrub failed');
    expect(await exportOnce(exporter, [])).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.shutdown();
    expect(sink.readTraces()).toHaveLength(before);
  });
});
