// Browser telemetry end to end (issue 13): Debian's Chromium, driven headless by playwright-core,
// opens the Divan demo page served by the Divan API of the native stack (real collector,
// Prometheus, sink). The page's @sightline/web beacons go to POST /ops/ingest; the test checks the
// vitals in Prometheus with their route and rating labels, that a page span and the API span share
// one trace id at the sink, and that bad beacons get a 4xx and a disabled ingest a 404.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  jsonAttribute,
  type ManagedProcess,
  type NativeStack,
  startManaged,
  startNativeStack,
  tempDir,
  waitFor,
} from '@sightline/harness';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
// @ts-expect-error build.mjs is plain JavaScript without declarations
import { buildAll } from '../../packages/web/build.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = join(repoRoot, 'test-results');
const VITALS = ['lcp_seconds', 'fcp_seconds', 'ttfb_seconds', 'cls', 'inp_seconds'] as const;
const RATINGS = ['good', 'needs-improvement', 'poor'];

let stack: NativeStack;
let browser: BrowserContext;
let disabled: ManagedProcess | undefined;
let disabledUrl: string;
let pageTraceId = '';

const withLogs = async (fn: () => Promise<void>) => {
  try {
    await fn();
  } catch (error) {
    console.error(stack?.logs().slice(-6000));
    throw error;
  }
};

describe('browser telemetry: demo page in Chromium -> /ops/ingest -> collector -> Prometheus and sink', () => {
  beforeAll(async () => {
    // The service serves the script-tag bundle it finds at startup.
    await buildAll();
    // The service's port is fixed up front so the collector can allow its origin (CORS).
    const servicePort = await freePort();
    stack = await startNativeStack({
      ports: { service: servicePort },
      serviceEnv: { OBS_WEB_INGEST_ENABLED: 'true', OTEL_METRIC_EXPORT_INTERVAL: '1000' },
      // Keep every trace, so the one the page started is at the sink whatever its hash.
      collectorEnv: {
        SIGHTLINE_SAMPLING_PERCENTAGE: '100',
        SIGHTLINE_SAMPLING_DECISION_WAIT: '2s',
        SIGHTLINE_CORS_ORIGIN: `http://127.0.0.1:${servicePort}`,
      },
      prometheusInterval: '2s',
    });
    browser = await chromium.launchPersistentContext(tempDir('chromium-profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      // Playwright passes the fresh profile as --user-data-dir itself.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1000, height: 800 },
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await disabled?.stop();
    await stack?.stop();
  });

  it('loads the page, takes a slow click, shifts its layout and navigates; a screenshot is kept', () =>
    withLogs(async () => {
      const page = await browser.newPage();
      const response = await page.goto(`${stack.service.url}/app`);
      assert.equal(response?.status(), 200);
      assert.equal(await page.getAttribute('html', 'data-sightline-web'), 'on');
      pageTraceId = (await page.getAttribute('html', 'data-trace-id')) ?? '';
      assert.match(pageTraceId, /^[0-9a-f]{32}$/);
      await page.waitForFunction(() => document.getElementById('welcome')?.textContent !== 'Loading…');
      // The layout shift (the promo banner) lands 300 ms after load, before any input.
      await page.waitForSelector('#promo');
      await page.click('#refresh');
      await page.waitForFunction(() => !document.getElementById('board')?.textContent?.startsWith('refreshing'));
      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = join(ARTIFACTS, 'web-vitals-demo.png');
      await page.screenshot({ path: shot, fullPage: true });
      // Navigating hides the page: the beacon with CLS and INP leaves on visibilitychange/pagehide.
      await Promise.all([page.waitForURL('**/app/rooms/42'), page.click('#to-room')]);
      assert.equal(await page.textContent('#heading'), 'Room 42');
      await page.click('#refresh');
      await page.goto('about:blank');
      await page.close();
      console.log(`screenshot: ${shot}`);
    }));

  it('puts every vital in Prometheus with route-template and rating labels only', () =>
    withLogs(async () => {
      const series = (vital: string, route: string) =>
        stack.prometheus.query(`browser_web_vital_${vital}_count{route="${route}"}`);
      let missing: string[] = [];
      await waitFor(
        async () => {
          missing = [];
          for (const vital of VITALS) if ((await series(vital, '/app')).length === 0) missing.push(`${vital} /app`);
          if ((await series('lcp_seconds', '/app/rooms/:id')).length === 0) missing.push('lcp /app/rooms/:id');
          return missing.length === 0;
        },
        { what: 'web vitals in Prometheus', timeoutMs: 60_000, intervalMs: 2000 },
      ).catch(() => undefined);
      assert.deepEqual(missing, []);
      const all = await stack.prometheus.query('{__name__=~"browser_web_vital_.+_count"}');
      for (const sample of all) {
        const { metric } = sample;
        assert.ok(['/app', '/app/rooms/:id', 'other'].includes(metric.route ?? ''), `route ${metric.route}`);
        assert.ok(RATINGS.includes(metric.rating ?? ''), `rating ${metric.rating}`);
        assert.equal(metric.service_name, stack.service.serviceName);
      }
      // The 350 ms click handler: INP is at least "needs-improvement" on /app.
      const inp = await series('inp_seconds', '/app');
      assert.ok(
        inp.some((s) => s.metric.rating !== 'good'),
        `INP ratings: ${inp.map((s) => s.metric.rating)}`,
      );
      const inpP75 = await stack.prometheus.queryScalar(
        'histogram_quantile(0.75, sum by (le) (browser_web_vital_inp_seconds_bucket{route="/app"}))',
      );
      assert.ok(inpP75 >= 0.2, `INP p75 ${inpP75}`);
      const cls = await stack.prometheus.queryScalar('sum(browser_web_vital_cls_sum{route="/app"})');
      assert.ok(cls > 0, `CLS ${cls}`);
      console.log(`series: ${all.length}; /app INP p75 ${inpP75.toFixed(3)} s, CLS ${cls.toFixed(3)}`);
    }));

  it('continues the page trace into the API: a page span and the API span share one trace id at the sink', () =>
    withLogs(async () => {
      const service = (span: { resource: Parameters<typeof jsonAttribute>[0] }) =>
        jsonAttribute(span.resource, 'service.name');
      let inTrace: ReturnType<NativeStack['sink']['spans']> = [];
      await waitFor(
        () => {
          inTrace = stack.sink.spans().filter((s) => s.traceId === pageTraceId);
          const names = new Set(inTrace.map(service));
          return names.has('divan-web') && names.has(stack.service.serviceName);
        },
        { what: `spans of trace ${pageTraceId} from the page and the API`, timeoutMs: 60_000, intervalMs: 1000 },
      ).catch(() => undefined);
      const summary = inTrace.map((s) => `${service(s)}: ${s.name}`);
      const web = inTrace.filter((s) => service(s) === 'divan-web');
      const api = inTrace.filter((s) => service(s) === stack.service.serviceName);
      assert.ok(
        web.some((s) => s.name === 'documentLoad'),
        `spans: ${summary}`,
      );
      assert.ok(
        api.some((s) => s.kind === 2 && /files/.test(s.name)),
        `spans: ${summary}`,
      );
      // The API's server span is a child of a page fetch span.
      const fetchIds = new Set(web.filter((s) => s.kind === 3).map((s) => s.spanId));
      assert.ok(
        api.some((s) => s.kind === 2 && fetchIds.has(s.parentSpanId ?? '')),
        `spans: ${summary}`,
      );
      console.log(`trace ${pageTraceId}: ${summary.join(', ')}`);
    }));

  it('lets the allowed page origin send OTLP/HTTP to the collector (CORS), which applies its PII rules to it', () =>
    withLogs(async () => {
      const page = await browser.newPage();
      await page.goto(`${stack.service.url}/app`);
      const traceId = 'feedc0de'.repeat(4);
      const email = 'ada.lovelace@example.com';
      // What @sightline/web sends with transport 'collector': a keepalive fetch with a JSON body.
      const status = await page.evaluate(
        async ({ url, traceId, email }) => {
          const now = `${Date.now()}000000`;
          const body = {
            resourceSpans: [
              {
                resource: { attributes: [{ key: 'service.name', value: { stringValue: 'divan-web' } }] },
                scopeSpans: [
                  {
                    spans: [
                      {
                        traceId,
                        spanId: '1234567890abcdef',
                        name: 'documentLoad',
                        kind: 1,
                        startTimeUnixNano: now,
                        endTimeUnixNano: now,
                        attributes: [{ key: 'page.title', value: { stringValue: `Inbox of ${email}` } }],
                      },
                    ],
                  },
                ],
              },
            ],
          };
          const response = await fetch(`${url}/v1/traces`, {
            method: 'POST',
            keepalive: true,
            credentials: 'omit',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          return response.status;
        },
        { url: stack.collector.otlpHttpUrl, traceId, email },
      );
      assert.equal(status, 200);
      await page.close();
      let spans: ReturnType<NativeStack['sink']['spans']> = [];
      await waitFor(
        () => {
          spans = stack.sink.spans().filter((s) => s.traceId === traceId);
          return spans.length > 0;
        },
        { what: 'the span posted from the page at the sink', timeoutMs: 60_000, intervalMs: 1000 },
      );
      const title = String(jsonAttribute(spans[0]?.attributes, 'page.title'));
      assert.ok(title.startsWith('Inbox of') && !title.includes(email), `page.title at the sink: ${title}`);
      assert.ok(!stack.sink.rawText().includes(email));
      console.log(`page.title at the sink: ${title}`);

      // The package's own collector transport: keepalive fetches of OTLP/JSON to /v1/traces.
      const direct = await browser.newPage();
      await direct.goto(`${stack.service.url}/app`);
      const directTraceId = await direct.evaluate(async (url) => {
        const web = (window as unknown as { SightlineWeb: typeof import('../../packages/web/src/index.ts') })
          .SightlineWeb;
        const handle = web.initWeb({
          enabled: true,
          transport: 'collector',
          endpoint: url,
          serviceName: 'divan-web-direct',
          routes: ['/app'],
        });
        await fetch('/files/welcome.txt');
        await new Promise((resolve) => setTimeout(resolve, 100)); // the documentLoad span is emitted after load
        handle.flush();
        return handle.traceId;
      }, stack.collector.otlpHttpUrl);
      await direct.close();
      await waitFor(
        () =>
          stack.sink
            .spans()
            .some(
              (s) => s.traceId === directTraceId && jsonAttribute(s.resource, 'service.name') === 'divan-web-direct',
            ),
        { what: 'spans sent by the collector transport at the sink', timeoutMs: 60_000, intervalMs: 1000 },
      );
    }));

  it('answers malformed, off-shape and oversized beacons with a 4xx, never a 5xx', () =>
    withLogs(async () => {
      const url = `${stack.service.url}/ops/ingest`;
      const post = (body: string, type = 'application/json') =>
        fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
      const cases: Array<[string, Response]> = [
        ['broken JSON', await post('{"resourceMetrics": [')],
        ['not OTLP', await post('{"hello": "world"}')],
        [
          'unknown metric',
          await post(
            JSON.stringify({
              resourceMetrics: [
                { resource: { attributes: [] }, scopeMetrics: [{ metrics: [{ name: 'user.email' }] }] },
              ],
            }),
          ),
        ],
        ['oversized', await post(JSON.stringify({ resourceMetrics: [], pad: 'x'.repeat(100 * 1024) }))],
        ['form body', await post('a=b', 'application/x-www-form-urlencoded')],
        [
          'NUL',
          await post(
            '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\\u0000"}}]},"scopeSpans":[]}]}',
          ),
        ],
      ];
      const statuses = cases.map(([name, r]) => `${name}: ${r.status}`);
      for (const [, r] of cases) assert.ok(r.status >= 400 && r.status < 500, `statuses: ${statuses}`);
      assert.equal(cases[3]?.[1].status, 413);
      console.log(`bad beacons: ${statuses.join(', ')}`);
    }));

  it('answers 404 on /ops/ingest and keeps the page quiet when the ingest is off', () =>
    withLogs(async () => {
      const port = await freePort();
      disabledUrl = `http://127.0.0.1:${port}`;
      disabled = await startManaged({
        name: 'divan-ingest-off',
        command: process.execPath,
        args: ['--import', 'tsx', join(repoRoot, 'packages/demo/src/main.ts')],
        cwd: join(repoRoot, 'packages/demo'),
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: stack.postgres.url,
          REDIS_URL: stack.redis.url,
          JWT_SECRET: randomBytes(32).toString('hex'),
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://${stack.collector.otlpGrpcEndpoint}`,
          OTEL_SERVICE_NAME: 'divan-ingest-off',
          MIGRATE_ON_START: 'false',
          LB_SNAPSHOT_INTERVAL_MS: '0',
        },
        readyUrl: `${disabledUrl}/health/live`,
        timeoutMs: 60_000,
        intervalMs: 300,
      });
      const response = await fetch(`${disabledUrl}/ops/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(response.status, 404);
      const page = await browser.newPage();
      await page.goto(`${disabledUrl}/app`);
      assert.equal(await page.getAttribute('html', 'data-sightline-web'), 'off');
      // Another origin than SIGHTLINE_CORS_ORIGIN: the browser refuses to send to the collector.
      const refused = await page.evaluate(async (url) => {
        try {
          await fetch(`${url}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          });
          return false;
        } catch {
          return true;
        }
      }, stack.collector.otlpHttpUrl);
      assert.equal(refused, true, 'a page of another origin could post to the collector');
      await page.close();
    }));
});
