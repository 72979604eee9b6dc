/**
 * The generated PII corpus (pii/corpus.ts: every kind x every position x rotating encodings, over
 * 1,000 placements) and every look-alike of pii/rules.yaml, sent as raw OTLP (no SDK) through the
 * real collector with the production config. Nothing identifiable may reach the trace or log sink or
 * Prometheus; every look-alike must arrive unchanged; oversized and deeply nested values must
 * neither crash nor stall the collector.
 */
import { readFileSync } from 'node:fs';
import {
  type Attributes,
  type AttributeValue,
  anyValue,
  keyValues,
  type Pipeline,
  piiRulesPath,
  postOtlpJson,
  randomHexId,
  seededRandom,
  startPipeline,
  unixNanos,
  waitFor,
} from '@sightline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { corpusPlacements, leaksIn, type Placement, POSITIONS, type Position } from '../../pii/corpus.ts';

const mustSurvive = (parse(readFileSync(piiRulesPath, 'utf8')) as { must_survive: string[] }).must_survive;
const LOOKALIKE_POSITIONS: Position[] = POSITIONS.filter((p) => p !== 'log.error');

interface Probe {
  id: string;
  position: Position;
  payload: string;
  headerKey?: string;
}

const baseResource: Attributes = {
  'service.name': 'pii-corpus',
  'deployment.environment.name': 'test',
};

/** Where a payload sits for each position; a header secret sits under its header key. */
function placeAttributes(probe: Probe): { attrs: Attributes; nested?: Attributes } {
  const key = probe.headerKey ?? 'detail';
  switch (probe.position) {
    case 'span.attr.array':
      return { attrs: { [probe.headerKey ?? 'notes']: ['first note', probe.payload] } };
    case 'span.attr.nested':
    case 'log.attr.nested':
      return {
        attrs: {
          ctx: probe.headerKey
            ? { req: { headers: { [probe.headerKey.replace('http.request.header.', '')]: probe.payload } } }
            : { req: { body: { note: [{ text: probe.payload }] } } },
        },
      };
    default:
      return { attrs: { [key]: probe.payload } };
  }
}

function spanFor(probe: Probe, traceId: string, now: number): Record<string, unknown> {
  const { attrs } = placeAttributes(probe);
  const spanAttrs: Attributes = { 'probe.id': probe.id };
  if (['span.attr', 'span.attr.array', 'span.attr.nested'].includes(probe.position)) Object.assign(spanAttrs, attrs);
  const span: Record<string, unknown> = {
    traceId,
    spanId: randomHexId(8, seededRandom(Number(probe.id) + 1)),
    name: probe.position === 'span.name' ? probe.payload : 'POST /api/invites',
    kind: 2,
    startTimeUnixNano: unixNanos(now - 50),
    endTimeUnixNano: unixNanos(now - 20),
    attributes: keyValues(spanAttrs),
    status: probe.position === 'span.status' ? { code: 2, message: probe.payload } : { code: 0 },
    events:
      probe.position === 'event.name' || probe.position === 'event.attr'
        ? [
            {
              name: probe.position === 'event.name' ? probe.payload : 'exception',
              timeUnixNano: unixNanos(now - 30),
              attributes: keyValues(probe.position === 'event.attr' ? attrs : {}),
            },
          ]
        : [],
    links:
      probe.position === 'link.attr'
        ? [{ traceId: randomHexId(16), spanId: randomHexId(8), attributes: keyValues(attrs) }]
        : [],
  };
  return span;
}

function logFor(probe: Probe, traceId: string, now: number): Record<string, unknown> {
  const { attrs } = placeAttributes(probe);
  let body: AttributeValue = 'invite handled';
  if (probe.position === 'log.body.string') body = probe.payload;
  if (probe.position === 'log.body.map')
    body = probe.headerKey
      ? { msg: 'request', headers: { [probe.headerKey.replace('http.request.header.', '')]: probe.payload } }
      : { msg: 'invite', detail: probe.payload, attempt: 2 };
  if (probe.position === 'log.body.array') body = ['invite', probe.payload];
  if (probe.position === 'log.body.nested') body = { a: { b: [{ c: { d: [probe.payload] } }] } };
  if (probe.position === 'log.error')
    body = {
      msg: 'invite failed',
      err: {
        type: 'Error',
        message: 'request failed',
        stack: 'Error: request failed\n    at send (/app/src/invite.ts:9:3)',
        cause: { type: 'Error', message: probe.payload, cause: { message: `inner: ${probe.payload}` } },
      },
    };
  const logAttrs: Attributes = { 'probe.id': probe.id };
  if (['log.attr', 'log.attr.nested'].includes(probe.position)) Object.assign(logAttrs, attrs);
  return {
    timeUnixNano: unixNanos(now),
    severityText: 'INFO',
    severityNumber: 9,
    body: anyValue(body),
    attributes: keyValues(logAttrs),
    traceId,
  };
}

/**
 * The resource: a probe of its own only for resource.attr, a shared one otherwise, and separate
 * instance ids for the counters and the spans, so few target_info series exist and the ones span
 * metrics write never collide with the counters' (Prometheus refuses a whole write for one
 * out-of-order sample).
 */
function resourceFor(probe: Probe, signal = ''): Attributes {
  if (probe.position !== 'resource.attr') return { ...baseResource, 'service.instance.id': `shared${signal}` };
  return { ...baseResource, 'service.instance.id': `probe-${probe.id}${signal}`, 'host.note': probe.payload };
}

/** 10,000 levels of alternating arrays and maps as OTLP/JSON text, built without recursion. */
function deepAnyValueJson(levels: number, leaf: string): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < levels; i++) {
    if (i % 2) {
      open.push('{"kvlistValue":{"values":[{"key":"m","value":');
      close.push('}]}}');
    } else {
      open.push('{"arrayValue":{"values":[');
      close.push(']}}');
    }
  }
  return `${open.join('')}${JSON.stringify(anyValue(leaf))}${close.reverse().join('')}`;
}

function scopeFor(probe: Probe): Record<string, unknown> {
  return {
    name: 'pii-corpus',
    attributes: keyValues(probe.position === 'scope.attr' ? { 'scope.note': probe.payload } : {}),
  };
}

/** Sends probes as raw OTLP/JSON: one resource entry per probe, in requests of 50. */
async function send(pipeline: Pipeline, probes: Probe[], traceIds: Map<string, string>): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < probes.length; i += 50) {
    const batch = probes.slice(i, i + 50);
    const resourceSpans = batch.map((probe) => ({
      resource: { attributes: keyValues(resourceFor(probe)) },
      scopeSpans: [{ scope: scopeFor(probe), spans: [spanFor(probe, traceIds.get(probe.id) as string, now)] }],
    }));
    await postOtlpJson(pipeline.collector.otlpHttpUrl, 'traces', { resourceSpans });
    const resourceLogs = batch.map((probe) => ({
      resource: { attributes: keyValues(resourceFor(probe)) },
      scopeLogs: [{ scope: scopeFor(probe), logRecords: [logFor(probe, traceIds.get(probe.id) as string, now)] }],
    }));
    await postOtlpJson(pipeline.collector.otlpHttpUrl, 'logs', { resourceLogs });
    const metricProbes = batch.filter((p) => ['metric.label', 'resource.attr', 'scope.attr'].includes(p.position));
    if (metricProbes.length > 0) {
      const resourceMetrics = metricProbes.map((probe) => ({
        resource: { attributes: keyValues(resourceFor(probe, '-metrics')) },
        scopeMetrics: [
          {
            scope: scopeFor(probe),
            metrics: [
              {
                name: 'divan.pii.corpus',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [
                    {
                      attributes: keyValues(
                        probe.position === 'metric.label'
                          ? { probe: probe.id, detail: probe.payload }
                          : { probe: probe.id },
                      ),
                      startTimeUnixNano: unixNanos(now - 60_000),
                      timeUnixNano: unixNanos(now),
                      asInt: '1',
                    },
                  ],
                },
              },
            ],
          },
        ],
      }));
      await postOtlpJson(pipeline.collector.otlpHttpUrl, 'metrics', { resourceMetrics });
    }
  }
}

describe('PII corpus through the real collector with the production config', () => {
  const placements = corpusPlacements();
  const random = seededRandom(1130);
  const secretProbes: Probe[] = placements.map((p) => ({
    id: String(p.id),
    position: p.position,
    payload: p.payload,
    ...(p.secret.headerKey ? { headerKey: p.secret.headerKey } : {}),
  }));
  const lookalikeProbes: Probe[] = mustSurvive.flatMap((value, v) =>
    LOOKALIKE_POSITIONS.map((position, p) => ({ id: String(100_000 + v * 100 + p), position, payload: value })),
  );
  const probes = [...secretProbes, ...lookalikeProbes];
  const traceIds = new Map(probes.map((p) => [p.id, randomHexId(16, random)]));
  const metricCount = probes.filter((p) => ['metric.label', 'resource.attr', 'scope.attr'].includes(p.position)).length;
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline({ collectorEnv: { SIGHTLINE_SAMPLING_PERCENTAGE: '100' } });
    await send(pipeline, probes, traceIds);
    await waitFor(
      () => pipeline.sink.spans().length >= probes.length && pipeline.sink.logRecords().length >= probes.length,
      { what: `${probes.length} spans and log records in the sink`, timeoutMs: 120_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${pipeline.logs()}`);
    });
    await waitFor(async () => (await pipeline.prometheus.series('divan_pii_corpus_total')).length >= metricCount, {
      what: `${metricCount} corpus series in Prometheus`,
      timeoutMs: 60_000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${pipeline.logs()}`);
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('has at least 1,000 placements covering every position and encoding', () => {
    expect(placements.length).toBeGreaterThanOrEqual(1000);
    const seen = new Set(placements.map((p) => `${p.position}`));
    for (const position of POSITIONS) expect(seen.has(position), position).toBe(true);
    const kinds = new Set(placements.map((p) => p.secret.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(15);
    for (const position of POSITIONS) {
      const encodings = new Set(placements.filter((p) => p.position === position).map((p) => p.encoding));
      expect(encodings.size, position).toBe(5);
    }
  });

  it('lets nothing identifiable reach the trace and log backends', () => {
    const leaks = leaksIn(pipeline.sink.rawText(), placements);
    const describe = (p: Placement) => `${p.secret.kind} ${p.position} ${p.encoding}: ${p.secret.value}`;
    expect(leaks.map(describe), `leaked:\n${leaks.map(describe).join('\n')}`).toEqual([]);
  });

  it('lets nothing identifiable reach Prometheus', async () => {
    const series = JSON.stringify(await pipeline.prometheus.series('{__name__=~".+"}'));
    const leaks = leaksIn(series, placements);
    expect(leaks.map((p) => `${p.secret.kind}: ${p.secret.value}`)).toEqual([]);
  });

  it('delivers every look-alike unchanged in every position', async () => {
    const spansByTrace = new Map(pipeline.sink.spans().map((s) => [s.traceId, s]));
    const logsByTrace = new Map(pipeline.sink.logRecords().map((l) => [l.traceId, l]));
    const changed: string[] = [];
    for (const probe of lookalikeProbes) {
      const traceId = traceIds.get(probe.id) as string;
      const span = spansByTrace.get(traceId);
      const log = logsByTrace.get(traceId);
      const spanText = JSON.stringify(span ?? null);
      const logText = JSON.stringify(log ?? null);
      const expected = JSON.stringify(probe.payload);
      const inSpan =
        probe.position.startsWith('span') || probe.position.startsWith('event') || probe.position === 'link.attr';
      const inLog = probe.position.startsWith('log');
      const resourceOrScope = probe.position === 'resource.attr' || probe.position === 'scope.attr';
      if (span === undefined || log === undefined)
        changed.push(`${probe.position}: record missing for ${probe.payload}`);
      else if (inSpan && !spanText.includes(expected))
        changed.push(`${probe.position}: ${probe.payload} -> ${spanText}`);
      else if (inLog && !logText.includes(expected)) changed.push(`${probe.position}: ${probe.payload} -> ${logText}`);
      else if (resourceOrScope && !pipeline.sink.rawText().includes(expected))
        changed.push(`${probe.position}: ${probe.payload}`);
    }
    const metricProbes = lookalikeProbes.filter((p) => p.position === 'metric.label');
    const series = await pipeline.prometheus.series('divan_pii_corpus_total');
    const byProbe = new Map(series.map((s) => [s.probe, s]));
    for (const probe of metricProbes) {
      if (byProbe.get(probe.id)?.detail !== probe.payload)
        changed.push(`metric.label: ${probe.payload} -> ${byProbe.get(probe.id)?.detail}`);
    }
    expect(changed, changed.join('\n')).toEqual([]);
  });

  it('keeps the coarse forms: IPv4 /16, IPv6 /32, coordinates cut to 2 decimals', () => {
    const raw = pipeline.sink.rawText();
    expect(raw).toMatch(/\b\d{1,3}\.\d{1,3}\.0\.0\/16/);
    expect(raw).toMatch(/2a0\d:[0-9a-f]{4}::\/32/);
    expect(raw).toContain('lat=41.00');
    expect(raw).toContain('-33.85,151.21');
  });
});

describe('hostile values through the real collector', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({ collectorEnv: { SIGHTLINE_SAMPLING_PERCENTAGE: '100' } });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('survives a 3.5 MB string and 10,000-deep nesting: the collector stays up and delivers the rest', async () => {
    const now = Date.now();
    const big = `${'lorem ipsum a@b 10.0.0 '.repeat(150_000)} maria.gonzalez@example.com`;
    const resource = JSON.stringify({ attributes: keyValues(baseResource) });
    const record = (body: string, which: string) =>
      `{"resourceLogs":[{"resource":${resource},"scopeLogs":[{"logRecords":[{"timeUnixNano":"${unixNanos(now)}","body":${body},"attributes":${JSON.stringify(keyValues({ case: which }))}}]}]}]}`;
    const bodies = [
      record(JSON.stringify(anyValue(big)), 'big'),
      record(deepAnyValueJson(10_000, 'maria.gonzalez@example.com'), 'deep'),
    ];
    const started = Date.now();
    for (const body of bodies) {
      // The receiver may refuse what is over its size limit (4xx); it must not fail or hang.
      const response = await fetch(`${pipeline.collector.otlpHttpUrl}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(60_000),
      });
      expect(response.status, await response.text()).toBeLessThan(500);
    }
    await postOtlpJson(pipeline.collector.otlpHttpUrl, 'logs', {
      resourceLogs: [
        {
          resource: { attributes: keyValues(baseResource) },
          scopeLogs: [{ logRecords: [{ timeUnixNano: unixNanos(now), body: anyValue('after the hostile values') }] }],
        },
      ],
    });
    await waitFor(() => pipeline.sink.rawText().includes('after the hostile values'), {
      what: 'the log sent after the hostile values',
      timeoutMs: 60_000,
    });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(pipeline.sink.rawText()).not.toContain('maria.gonzalez');
    const health = await fetch(pipeline.collector.healthUrl);
    expect(health.status).toBe(200);
  });
});
