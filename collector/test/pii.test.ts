import assert from 'node:assert/strict';
import {
  type Attributes,
  countersRequest,
  jsonAttribute,
  type LogInput,
  logsRequest,
  type Pipeline,
  postOtlpJson,
  randomHexId,
  type SpanInput,
  SpanKind,
  StatusCode,
  seededRandom,
  startPipeline,
  tracesRequest,
  waitFor,
} from '@sightline/harness';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { buildSecrets, lookAlikes, type Secret } from './pii-corpus.ts';

// Positions a secret can take. Each free-text secret lands in two of them; SQL literals only in
// SQL positions (the SQL sanitizer is keyed on db.statement / db.query.text).
const textPositions = [
  'span.name',
  'span.attr.message',
  'span.attr.url.full',
  'span.attr.header',
  'span.status.message',
  'event.exception.message',
  'event.exception.stacktrace',
  'log.body.string',
  'log.body.map',
  'log.attr',
  'metric.label',
] as const;
type Position =
  | (typeof textPositions)[number]
  | 'span.attr.db.statement'
  | 'span.attr.db.query.text'
  | 'log.attr.db.query.text';

const resource: Attributes = {
  'service.name': 'pii-probe',
  'service.namespace': 'sightline-test',
  'deployment.environment.name': 'test',
  'service.instance.id': 'pii-probe-1',
};

interface Placement {
  secret: Secret;
  position: Position;
}

function placements(secrets: Secret[]): Placement[] {
  const out: Placement[] = [];
  secrets.forEach((secret, i) => {
    if (secret.kind === 'sql-literal') {
      out.push({ secret, position: i % 2 === 0 ? 'span.attr.db.statement' : 'span.attr.db.query.text' });
      out.push({ secret, position: 'log.attr.db.query.text' });
      return;
    }
    const first = textPositions[i % textPositions.length] as Position;
    const second = textPositions[(i * 7 + 3) % textPositions.length] as Position;
    out.push({ secret, position: first });
    if (second !== first) out.push({ secret, position: second });
  });
  return out;
}

describe('PII scrubbing: raw OTLP from a service that redacts nothing', () => {
  const random = seededRandom(7);
  const secrets = buildSecrets();
  const placed = placements(secrets);
  // Secrets that only their attribute key gives away: the collector drops the whole attribute.
  const keyed: Array<{ key: string; value: string | string[] }> = [
    { key: 'http.request.header.authorization', value: ['Basic YWxpY2U6d29uZGVybGFuZDE5ODc='] },
    { key: 'http.request.header.cookie', value: ['sid=s%3AQm9iIHNlc3Npb24gdmFsdWUgMTIz.xyz'] },
    { key: 'http.request.header.x-api-key', value: ['k8Jd93mQpL0zXv7Rt2Yw'] },
    { key: 'user.password', value: 'Tr1cky-N0-Pattern' },
    { key: 'http.request.header.x-forwarded-for', value: ['198.18.7.201'] },
    { key: 'session_id', value: 'aa11bb22cc33dd44ee55ff66' },
  ];
  const keyedValues = keyed.flatMap((k) => [k.value].flat());
  let pipeline: Pipeline;
  const spans: SpanInput[] = [];
  const logs: LogInput[] = [];
  const metricPoints: Array<{ attributes: Attributes; value: number }> = [];
  const now = Date.now();

  beforeAll(async () => {
    pipeline = await startPipeline({ collectorEnv: { SIGHTLINE_SAMPLING_PERCENTAGE: '100' } });
    for (const { secret, position } of placed) {
      const traceId = randomHexId(16, random);
      const spanId = randomHexId(8, random);
      const span: SpanInput = {
        traceId,
        spanId,
        name: 'POST /api/invites',
        kind: SpanKind.SERVER,
        startMs: now - 50,
        endMs: now - 20,
        attributes: { 'http.route': '/api/invites', 'http.request.method': 'POST', 'http.response.status_code': 200 },
      };
      const log: LogInput = { timeMs: now, body: 'invite handled', traceId, spanId };
      const attrs = span.attributes as Attributes;
      switch (position) {
        case 'span.name':
          span.name = secret.text;
          break;
        case 'span.attr.message':
          attrs.message = secret.text;
          break;
        case 'span.attr.url.full':
          attrs['url.full'] = `https://divan.example.com/api/invites?note=${encodeURIComponent('x')}#${secret.text}`;
          break;
        case 'span.attr.header':
          attrs['http.request.header.x-debug-context'] = secret.text;
          break;
        case 'span.status.message':
          span.status = { code: StatusCode.ERROR, message: secret.text };
          break;
        case 'event.exception.message':
          span.events = [
            {
              name: 'exception',
              timeMs: now - 30,
              attributes: { 'exception.type': 'Error', 'exception.message': secret.text },
            },
          ];
          break;
        case 'event.exception.stacktrace':
          span.events = [
            {
              name: 'exception',
              timeMs: now - 30,
              attributes: {
                'exception.type': 'TypeError',
                'exception.message': 'cannot read properties of undefined',
                'exception.stacktrace': `TypeError: ${secret.text}\n    at sendInvite (/app/src/invites.ts:88:17)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
              },
            },
          ];
          break;
        case 'span.attr.db.statement':
          attrs['db.statement'] = secret.text;
          break;
        case 'span.attr.db.query.text':
          attrs['db.query.text'] = secret.text;
          break;
        case 'log.body.string':
          log.body = secret.text;
          break;
        case 'log.body.map':
          log.body = { msg: secret.text, route: '/api/invites', attempt: 2 };
          break;
        case 'log.attr':
          log.attributes = { detail: secret.text };
          break;
        case 'log.attr.db.query.text':
          log.attributes = { 'db.query.text': secret.text };
          break;
        case 'metric.label':
          metricPoints.push({ attributes: { probe: String(metricPoints.length), detail: secret.text }, value: 1 });
          break;
      }
      spans.push(span);
      logs.push(log);
    }
    // Look-alikes everywhere too, plus the key-only secrets and numeric coordinates.
    const lookAlikeAttrs = Object.fromEntries(lookAlikes.map((value, i) => [`lookalike.${i}`, value]));
    spans.push({
      traceId: randomHexId(16, random),
      spanId: randomHexId(8, random),
      name: `order ${lookAlikes[0]} shipped`,
      kind: SpanKind.SERVER,
      startMs: now - 40,
      endMs: now - 10,
      attributes: {
        ...lookAlikeAttrs,
        ...Object.fromEntries(keyed.map((k) => [k.key, k.value])),
        'geo.lat': 48.85837,
        'geo.lon': 2.294481,
        'http.route': '/api/orders/:orderId',
      },
    });
    logs.push({ timeMs: now, body: lookAlikes.join(' | '), attributes: lookAlikeAttrs });
    logs.push({
      timeMs: now,
      body: { msg: 'login', password: 'Tr1cky-N0-Pattern', cookie: 'sid=aa11bb22cc33dd44ee55ff66' },
    });
    metricPoints.push({ attributes: { app_version: '2.14.0-rc.1', order_ref: 'ORD-2024-000123' }, value: 3 });

    for (let i = 0; i < spans.length; i += 50) {
      await postOtlpJson(pipeline.collector.otlpHttpUrl, 'traces', tracesRequest(resource, spans.slice(i, i + 50)));
    }
    for (let i = 0; i < logs.length; i += 50) {
      await postOtlpJson(pipeline.collector.otlpHttpUrl, 'logs', logsRequest(resource, logs.slice(i, i + 50)));
    }
    await postOtlpJson(
      pipeline.collector.otlpHttpUrl,
      'metrics',
      countersRequest(resource, [
        { name: 'divan.pii.probe', points: metricPoints, startMs: now - 60_000, timeMs: now },
      ]),
    );
    await waitFor(
      () => pipeline.sink.spans().length >= spans.length && pipeline.sink.logRecords().length >= logs.length,
      {
        what: `${spans.length} spans and ${logs.length} logs in the sink`,
        timeoutMs: 30_000,
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${pipeline.logs()}`);
    });
    await waitFor(
      async () =>
        (await pipeline.prometheus.series('divan_pii_probe_total')).length >= metricPoints.length &&
        (await pipeline.prometheus.series('traces_span_metrics_calls_total{service_name="pii-probe"}')).length > 0,
      { what: 'pii probe series and span metrics in Prometheus', timeoutMs: 30_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${pipeline.logs()}`);
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('uses a corpus of at least 150 secrets in every signal and position', () => {
    assert.ok(secrets.length + keyed.length >= 150, `corpus has ${secrets.length + keyed.length} entries`);
    const used = new Set(placed.map((p) => p.position));
    for (const position of textPositions) assert.ok(used.has(position), `no secret placed at ${position}`);
  });

  it('lets nothing identifiable reach the trace and log backends', () => {
    const raw = pipeline.sink.rawText();
    const leaks = [...secrets.map((s) => `${s.kind}: ${s.value}`), ...keyedValues.map((v) => `keyed: ${v}`)].filter(
      (entry) => {
        const value = entry.slice(entry.indexOf(': ') + 2);
        return raw.includes(value) || raw.includes(JSON.stringify(value).slice(1, -1));
      },
    );
    const where = (entry: string) =>
      placed
        .filter((p) => entry.endsWith(`: ${p.secret.value}`))
        .map((p) => p.position)
        .join(',');
    assert.deepEqual(leaks, [], `leaked into the sink:\n${leaks.map((l) => `${l} (${where(l)})`).join('\n')}`);
    assert.ok(!raw.includes('48.85837') && !raw.includes('2.294481'), 'exact numeric coordinates leaked');
  });

  it('lets nothing identifiable reach Prometheus', async () => {
    const series = JSON.stringify(await pipeline.prometheus.series('{__name__=~".+"}'));
    const leaks = [...secrets.map((s) => s.value), ...keyedValues].filter(
      (value) => series.includes(value) || series.includes(JSON.stringify(value).slice(1, -1)),
    );
    assert.deepEqual(leaks, [], `leaked into Prometheus:\n${leaks.join('\n')}`);
  });

  it('keeps prefixes: IPv4 /16, IPv6 /32, coordinates to 2 decimals', () => {
    const raw = pipeline.sink.rawText();
    assert.ok(raw.includes('203.0.0.0/16'), 'IPv4 prefix missing');
    assert.ok(raw.includes('2001:db8::/32'), 'IPv6 prefix missing');
    assert.ok(raw.includes('48.85,2.29'), 'coarse coordinates missing');
    const span = pipeline.sink.spans().find((s) => s.name === `order ${lookAlikes[0]} shipped`);
    assert.ok(span !== undefined, 'look-alike span missing');
    assert.equal(jsonAttribute(span.attributes, 'geo.lat'), 48.86);
    assert.equal(jsonAttribute(span.attributes, 'geo.lon'), 2.29);
    for (const { key } of keyed) assert.equal(jsonAttribute(span.attributes, key), undefined, `${key} kept`);
  });

  it('lets non-personal look-alikes through unchanged', async () => {
    const span = pipeline.sink.spans().find((s) => s.name === `order ${lookAlikes[0]} shipped`);
    assert.ok(span !== undefined, 'look-alike span missing (its name was changed?)');
    for (const [i, value] of lookAlikes.entries())
      assert.equal(jsonAttribute(span.attributes, `lookalike.${i}`), value);
    const log = pipeline.sink.logRecords().find((r) => r.body?.stringValue?.startsWith(lookAlikes[0] as string));
    assert.equal(log?.body?.stringValue, lookAlikes.join(' | '));
    const series = await pipeline.prometheus.series('divan_pii_probe_total{order_ref="ORD-2024-000123"}');
    assert.equal(series[0]?.app_version, '2.14.0-rc.1');
  });

  it('copies service.name and deployment.environment.name onto every data point (CONTRACT.md)', async () => {
    const series = await pipeline.prometheus.series('divan_pii_probe_total');
    assert.ok(series.length > 0);
    for (const labels of series) {
      assert.equal(labels.service_name, 'pii-probe');
      assert.equal(labels.deployment_environment_name, 'test');
    }
  });
});
