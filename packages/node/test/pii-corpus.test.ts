/**
 * The generated PII corpus (pii/corpus.ts) through the SDK alone: every placement is emitted with
 * the SDK's own APIs (spans, events, links, status, the pino logger with nested fields and Error
 * causes, the OpenTelemetry logs API with map/array/nested bodies, counters) into in-memory
 * exporters. Nothing identifiable may leave the process: not over OTLP, not on stdout.
 */
import { type Attributes, logs as logsApi, SpanStatusCode } from '@opentelemetry/api';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPlacements, leakContext, leaksIn, type Placement, POSITIONS } from '../../../pii/corpus.ts';
import { init, type Sightline } from '../src/index.ts';
import { PII_RULES } from '../src/pii/rules.generated.ts';
import { captureJsonLines } from './log-capture.ts';

const spans = new InMemorySpanExporter();
const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const logs = new InMemoryLogRecordExporter();
for (const exporter of [spans, metrics, logs]) exporter.shutdown = async () => {};
const { lines, destination } = captureJsonLines();

// Resource and scope attributes are set by the SDK from config, not per call: not placed here.
const SDK_POSITIONS = new Set<string>(POSITIONS.filter((p) => !p.startsWith('resource.') && !p.startsWith('scope.')));

function emit(sightline: Sightline, p: Placement): void {
  const key = p.secret.headerKey ?? 'detail';
  const payload = p.payload;
  const otelLogger = logsApi.getLogger('pii-corpus');
  const { tracer, logger, meter } = sightline;
  const span = tracer.startSpan(p.position === 'span.name' ? payload : 'POST /api/invites', {
    attributes: { 'probe.id': p.id },
    links:
      p.position === 'link.attr'
        ? [{ context: tracer.startSpan('peer').spanContext(), attributes: { [key]: payload } }]
        : [],
  });
  switch (p.position) {
    case 'span.status':
      span.setStatus({ code: SpanStatusCode.ERROR, message: payload });
      break;
    case 'span.attr':
      span.setAttribute(key, payload);
      break;
    case 'span.attr.array':
      span.setAttribute(key, ['first note', payload]);
      break;
    case 'span.attr.nested':
      // Span attributes cannot nest; services serialise the object into one attribute. A header
      // secret has nothing but its header name to give it away, so it keeps its key here.
      if (p.secret.headerKey) span.setAttribute(key, payload);
      else span.setAttribute('ctx', JSON.stringify({ req: { body: { note: [{ text: payload }] } } }));
      break;
    case 'event.name':
      span.addEvent(payload);
      break;
    case 'event.attr':
      span.addEvent('exception', { [key]: payload } as Attributes);
      break;
    case 'log.body.string':
      logger.info(payload);
      break;
    case 'log.body.map':
      otelLogger.emit({ body: { msg: 'invite', [key]: payload, attempt: 2 } });
      logger.info({ headers: { [key.replace('http.request.header.', '')]: payload } }, 'request');
      break;
    case 'log.body.array':
      otelLogger.emit({ body: ['invite', payload] });
      break;
    case 'log.body.nested':
      otelLogger.emit({ body: { a: { b: [{ c: { d: [payload] } }] } } });
      break;
    case 'log.attr':
      logger.info({ [key]: payload }, 'invite');
      otelLogger.emit({ body: 'invite', attributes: { [key]: payload } });
      break;
    case 'log.attr.nested':
      logger.info(
        p.secret.headerKey
          ? { ctx: { req: { headers: { [key.replace('http.request.header.', '')]: payload } } } }
          : { ctx: { req: { body: { note: [{ text: payload }] } } } },
        'invite',
      );
      break;
    case 'log.error':
      logger.error(
        { err: new Error('request failed', { cause: new Error(payload, { cause: new Error(`inner ${payload}`) }) }) },
        'invite failed',
      );
      break;
    case 'metric.label':
      meter.createCounter('divan.pii.corpus').add(1, { probe: String(p.id), detail: payload });
      break;
  }
  span.end();
}

function exported(): string {
  const spanText = spans.getFinishedSpans().map((s) => ({
    name: s.name,
    status: s.status,
    attributes: s.attributes,
    events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    links: s.links.map((l) => l.attributes),
  }));
  const logText = logs.getFinishedLogRecords().map((r) => ({ body: r.body, attributes: r.attributes }));
  const metricText = metrics
    .getMetrics()
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.flatMap((m) => m.dataPoints.map((d) => d.attributes))));
  return JSON.stringify({ spanText, logText, metricText });
}

describe('PII corpus through the SDK alone (in-memory exporters)', () => {
  const placements = corpusPlacements().filter((p) => SDK_POSITIONS.has(p.position));
  let sightline: Sightline;
  let out = '';

  beforeAll(async () => {
    sightline = init({
      serviceName: 'pii-corpus',
      environment: 'test',
      metricExportIntervalMs: 60_000,
      disabledInstrumentations: ['runtime'],
      logDestination: destination,
      exporters: { spans, metrics, logs },
    });
    for (const placement of placements) emit(sightline, placement);
    for (const value of PII_RULES.must_survive) {
      const span = sightline.tracer.startSpan(value, { attributes: { lookalike: value, list: [value] } });
      span.addEvent(value, { lookalike: value });
      span.setStatus({ code: SpanStatusCode.ERROR, message: value });
      span.end();
      sightline.logger.info({ lookalike: value }, value);
      logsApi.getLogger('pii-corpus').emit({ body: { nested: { lookalike: [value] } } });
      sightline.meter.createCounter('divan.pii.lookalike').add(1, { lookalike: value });
    }
    await sightline.shutdown();
    out = exported();
  });

  afterAll(async () => {
    await sightline?.shutdown();
  });

  it('emits at least 900 placements in 16 positions and every encoding', () => {
    expect(placements.length).toBeGreaterThanOrEqual(900);
    expect(new Set(placements.map((p) => p.position)).size).toBe(SDK_POSITIONS.size);
    expect(new Set(placements.map((p) => p.encoding)).size).toBe(5);
    expect(spans.getFinishedSpans().length).toBeGreaterThanOrEqual(placements.length);
    expect(logs.getFinishedLogRecords().length).toBeGreaterThan(300);
  });

  it('lets nothing identifiable leave over OTLP', () => {
    const leaks = leaksIn(out, placements);
    const text = (p: Placement) =>
      `${p.secret.kind} ${p.position} ${p.encoding}: ${p.secret.value} in ...${leakContext(out, p.secret.value)}...`;
    expect(leaks.map(text), leaks.map(text).join('\n')).toEqual([]);
  });

  it('lets nothing identifiable reach stdout', () => {
    const stdout = JSON.stringify(lines);
    const leaks = leaksIn(stdout, placements);
    const text = (p: Placement) =>
      `${p.secret.kind} ${p.position} ${p.encoding}: ${p.secret.value} in ...${leakContext(stdout, p.secret.value)}...`;
    expect(leaks.map(text), leaks.map(text).join('\n')).toEqual([]);
  });

  it('exports every look-alike unchanged', () => {
    const finished = spans.getFinishedSpans();
    const records = logs.getFinishedLogRecords();
    const changed: string[] = [];
    for (const value of PII_RULES.must_survive) {
      const span = finished.find((s) => s.attributes.lookalike === value);
      if (span?.name !== value || span.status.message !== value || span.events[0]?.name !== value)
        changed.push(`span: ${value} -> ${span?.name}`);
      if (!records.some((r) => r.body === value && r.attributes.lookalike === value)) changed.push(`log: ${value}`);
      if (!records.some((r) => JSON.stringify(r.body) === JSON.stringify({ nested: { lookalike: [value] } })))
        changed.push(`log body: ${value}`);
    }
    const labels = metrics
      .getMetrics()
      .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
      .filter((m) => m.descriptor.name === 'divan.pii.lookalike')
      .flatMap((m) => m.dataPoints.map((d) => d.attributes.lookalike));
    for (const value of PII_RULES.must_survive) if (!labels.includes(value)) changed.push(`metric: ${value}`);
    expect(changed, changed.join('\n')).toEqual([]);
  });
});
