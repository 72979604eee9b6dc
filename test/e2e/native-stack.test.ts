// The whole pipeline, natively: Divan (SDK) -> collector -> Prometheus (remote-write) + sink
// (Tempo/Loki stand-in), rules -> Alertmanager. A bounded load, then every dashboard query runs
// against the real Prometheus and every returned trace id is looked up in the sink.
//
// Sampling: the SDK samples every request at the head and answers `traceparent ...-01` for all
// of them; the keep/drop decision happens later, in the collector's tail sampler. A client cannot
// tell which ids were kept at the default 10 %, so this test sets SIGHTLINE_SAMPLING_PERCENTAGE=100:
// every id the service returned is then a kept one and ALL of them are checked. Forced sampling
// (POST /ops/trace/test) is exercised as well. The policies themselves are the collector's tests.
import assert from 'node:assert/strict';
import { type NativeStack, startNativeStack, waitFor } from '@sightline/harness';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { dashboardPromQL } from '../../grafana/test/promql.ts';
import { type LoadResult, runLoad } from './load.ts';
import { judgeEmptyPanel } from './panel-data.ts';

const LOAD_MS = 20_000;
const HEALTH_ROUTE = /^\/health\//;

let stack: NativeStack;
let load: LoadResult;
let startMs = 0;

/** The last lines of every process, so a failure shows what each one said. */
function processTails(lines = 80): string {
  const procs = [
    stack.service.process,
    stack.collector.process,
    stack.sink.process,
    stack.prometheus.process,
    stack.alertmanager.process,
  ];
  return procs.map((p) => p.logs().split('\n').slice(-lines).join('\n')).join('\n');
}

/** Runs `body`; on failure rethrows with the processes' logs appended. */
async function withLogs(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof Error) error.message = `${error.message}\n${stack === undefined ? '' : processTails()}`;
    throw error;
  }
}

type PromResult = { resultType: string; result: unknown[] };

async function promApi<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.prometheus.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { status: string; data: T; error?: string; errorType?: string };
  if (body.status !== 'success') throw new Error(`${body.errorType ?? response.status}: ${body.error ?? ''}`);
  return body.data;
}

const instantQuery = (expr: string) => promApi<PromResult>(`/api/v1/query?${new URLSearchParams({ query: expr })}`);

async function scalar(expr: string): Promise<number> {
  const { result } = await instantQuery(expr);
  return (result as Array<{ value: [number, string] }>).reduce((sum, sample) => sum + Number(sample.value[1]), 0);
}

function keptRequests() {
  return load.requests.filter((r) => r.traceId !== undefined && !HEALTH_ROUTE.test(r.name));
}

describe('native stack end to end', { timeout: 170_000 }, () => {
  beforeAll(async () => {
    const started = Date.now();
    const steps: string[] = [];
    let stepStart = started;
    stack = await startNativeStack({
      onStep: (step) => {
        steps.push(`${Date.now() - stepStart} ms`, step);
        stepStart = Date.now();
      },
      prometheusInterval: '2s',
      collectorEnv: {
        SIGHTLINE_SAMPLING_PERCENTAGE: '100',
        SIGHTLINE_SAMPLING_DECISION_WAIT: '2s',
        SIGHTLINE_SPANMETRICS_FLUSH_INTERVAL: '2s',
        SIGHTLINE_BATCH_TIMEOUT: '200ms',
      },
      serviceEnv: {
        OTEL_METRIC_EXPORT_INTERVAL: '2000',
        HEALTH_CHECK_INTERVAL_MS: '2000',
        LB_SNAPSHOT_INTERVAL_MS: '3000',
        // Every request log kept (the sampler's share is 1): the test looks up each request's logs.
        LOG_SAMPLING_RATE_INFO: '1',
        // Room for the whole load's spans between exports, so none is dropped SDK-side.
        OBS_EXPORT_QUEUE_SIZE: '50000',
        // The load is one user; the default limits would turn most of it into 429.
        RATE_LIMIT_DEFAULT: '1000000',
        RATE_LIMIT_CHAT: '1000000',
        RATE_LIMIT_PROXIMITY: '1000000',
      },
    });
    startMs = Date.now() - started;
    console.log(`start steps: ${[...steps.slice(1), `${Date.now() - stepStart} ms`].join(' ')}`);
    load = await runLoad({ baseUrl: stack.service.url, adminToken: stack.service.adminToken, durationMs: LOAD_MS });
    const seconds = load.durationMs / 1000;
    console.log(
      `stack started in ${startMs} ms; load: ${load.requests.length} requests in ${seconds.toFixed(1)} s ` +
        `(${(load.requests.length / seconds).toFixed(0)} rps), ${load.forcedTraceIds.length} forced traces`,
    );
  });

  afterAll(async () => {
    await stack?.stop();
  });

  test('the load got a mix of 2xx and 4xx, each with a traceparent', () => {
    const statuses = new Set(load.requests.map((r) => Math.floor(r.status / 100)));
    assert.ok(statuses.has(2) && statuses.has(4), `statuses seen: ${[...statuses]}`);
    const missing = load.requests.filter((r) => r.traceId === undefined);
    assert.deepEqual(missing.slice(0, 5), [], 'every response carries traceparent');
    assert.ok(load.forcedTraceIds.length > 0, 'at least one forced trace');
  });

  test('Prometheus receives every HTTP request as a metric', () =>
    withLogs(async () => {
      const selector = `service_name="${stack.service.serviceName}",deployment_environment_name="${stack.service.environment}"`;
      const sent = load.requests.length;
      const counted = await waitFor(
        async () => {
          const value = await scalar(
            `sum(http_server_request_duration_seconds_count{${selector},http_route!~"/health/.*"})`,
          );
          return value >= sent ? value : false;
        },
        {
          what: `${sent} requests counted in http_server_request_duration_seconds_count`,
          timeoutMs: 60_000,
          intervalMs: 1000,
        },
      );
      assert.ok(counted >= sent);
    }));

  test('recording and alerting rules load and evaluate without errors', () =>
    withLogs(async () => {
      type Rule = { name: string; type: string; health: string; lastError?: string; lastEvaluation: string };
      const groups = await waitFor(
        async () => {
          const data = await promApi<{ groups: Array<{ name: string; rules: Rule[] }> }>('/api/v1/rules');
          const rules = data.groups.flatMap((g) => g.rules);
          // Every rule must have been evaluated once before its health means anything.
          return rules.length > 0 && rules.every((r) => r.health !== 'unknown') ? data.groups : false;
        },
        // Groups with their own `interval:` (1m for the long SLO windows) keep it under the stack's short
        // global interval, and Prometheus staggers each group's first run by up to one interval.
        { what: 'every rule evaluated at least once', timeoutMs: 90_000, intervalMs: 1000 },
      );
      const rules = groups.flatMap((g) => g.rules);
      const broken = rules
        .filter((r) => r.health !== 'ok')
        .map((r) => `${r.type} ${r.name}: ${r.health} ${r.lastError ?? ''}`);
      assert.deepEqual(broken, []);
      assert.ok(
        rules.some((r) => r.type === 'recording'),
        'at least one recording rule',
      );
      assert.ok(
        rules.some((r) => r.type === 'alerting' && r.health === 'ok'),
        'at least one alerting rule evaluates',
      );
      console.log(`rules evaluated: ${rules.length} in ${groups.length} groups`);
    }));

  test('Prometheus scrapes the collector and sends alerts to the native Alertmanager', () =>
    withLogs(async () => {
      await waitFor(async () => (await scalar('up{job="otel-collector"}')) === 1, {
        what: 'up{job="otel-collector"} == 1',
        timeoutMs: 30_000,
        intervalMs: 1000,
      });
      const alertmanagers = await waitFor(
        async () => {
          const data = await promApi<{ activeAlertmanagers: Array<{ url: string }> }>('/api/v1/alertmanagers');
          return data.activeAlertmanagers.length > 0 ? data.activeAlertmanagers : false;
        },
        { what: 'an active Alertmanager in Prometheus', timeoutMs: 30_000, intervalMs: 1000 },
      );
      assert.ok(
        alertmanagers.some((am) => am.url.startsWith(stack.alertmanager.url)),
        `expected ${stack.alertmanager.url} among ${JSON.stringify(alertmanagers)}`,
      );
    }));

  test('Prometheus stores every metric and label under a name the dashboards can read (no UTF-8 dots)', () =>
    withLogs(async () => {
      // Prometheus 3 scrapes UTF-8 names unless asked otherwise; prometheus.yml asks for underscores.
      const legacy = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
      await waitFor(async () => (await scalar('count({job="otel-collector"})')) > 0, {
        what: 'the collector scraped',
        timeoutMs: 30_000,
        intervalMs: 1000,
      });
      const names = await promApi<string[]>('/api/v1/label/__name__/values');
      const labels = await promApi<string[]>('/api/v1/labels');
      assert.deepEqual(
        names.filter((name) => !legacy.test(name)),
        [],
      );
      assert.deepEqual(
        labels.filter((name) => !legacy.test(name)),
        [],
      );
      assert.ok(names.includes('otelcol_receiver_accepted_spans'), 'the collector self-metrics are stored');
    }));

  test('every dashboard PromQL expression runs; a panel is empty only when the run made none of its series', () =>
    withLogs(async () => {
      // Variables as a user picks them: this service and environment; the rest stay "All".
      const queries = dashboardPromQL({ service: stack.service.serviceName, env: stack.service.environment });
      assert.ok(queries.length > 0, 'the dashboards have PromQL expressions');
      const mustHaveData = (dashboard: string, panel: string) =>
        /backend-overview|http-red/.test(dashboard) || /^Health-check spans dropped\b/.test(panel);
      // Recording rules and rate windows need a few evaluations after the load; poll until the
      // panels that must show data do, and every other empty panel is empty because the run made
      // none of what it reads (judgeEmptyPanel asks Prometheus about each of its selectors).
      let failures: string[] = [];
      let noData: string[] = [];
      await waitFor(
        async () => {
          failures = [];
          noData = [];
          const stored = await promApi<string[]>('/api/v1/label/__name__/values');
          for (const q of queries) {
            const where = `${q.dashboard} / ${q.panel}: ${q.expr}`;
            try {
              const { result } = await instantQuery(q.expr);
              if (result.length > 0) continue;
              if (mustHaveData(q.dashboard, q.panel)) {
                failures.push(`no data: ${where}`);
                continue;
              }
              const verdict = await judgeEmptyPanel(promApi, q.expr, stored);
              if (verdict.kind === 'broken') failures.push(`${verdict.reason}: ${where}`);
              else noData.push(`${q.dashboard} / ${q.panel} (nothing for ${verdict.missing.join(' ')})`);
            } catch (error) {
              failures.push(`error: ${where}: ${(error as Error).message}`);
            }
          }
          return failures.length === 0;
        },
        {
          what: 'every dashboard query to run, and every empty panel to lack its series',
          timeoutMs: 60_000,
          intervalMs: 2000,
        },
      ).catch(() => undefined);
      assert.deepEqual(failures, []);
      const required = queries.filter((q) => mustHaveData(q.dashboard, q.panel)).length;
      console.log(
        `dashboard PromQL expressions evaluated: ${queries.length}, ${required} of them required to return data, ` +
          `${noData.length} empty because this run made none of their series:\n  ${noData.join('\n  ')}`,
      );
    }));

  test('the empty-panel judge can fail: a join that never matches, a name spelled otherwise', () =>
    withLogs(async () => {
      const stored = await promApi<string[]>('/api/v1/label/__name__/values');
      const join = await judgeEmptyPanel(
        promApi,
        'sum(otelcol_receiver_accepted_spans{job="otel-collector"} * on (no_such_label) up{job="otel-collector"})',
        stored,
      );
      assert.deepEqual(join, { kind: 'broken', reason: 'empty although every series it reads has data' });
      const renamed = await judgeEmptyPanel(promApi, 'rate(otelcol_receiver_accepted_spans_total[1m])', stored);
      assert.equal(renamed.kind, 'broken');
      assert.match(renamed.kind === 'broken' ? renamed.reason : '', /stores otelcol_receiver_accepted_spans\b/);
      const absent = await judgeEmptyPanel(promApi, 'rate(divan_no_such_series_total[1m])', stored);
      assert.equal(absent.kind, 'no-data');
    }));

  test('every trace id returned in traceparent is in the sink, and so are logs with that trace id', () =>
    withLogs(async () => {
      const wanted = new Set([...keptRequests().map((r) => r.traceId as string), ...load.forcedTraceIds]);
      let missingTraces: string[] = [];
      let missingLogs: string[] = [];
      await waitFor(
        () => {
          const spanTraceIds = new Set(stack.sink.spans().map((s) => s.traceId));
          const logTraceIds = new Set(stack.sink.logRecords().map((r) => r.traceId));
          missingTraces = [...wanted].filter((id) => !spanTraceIds.has(id));
          missingLogs = [...wanted].filter((id) => !logTraceIds.has(id));
          return missingTraces.length === 0 && missingLogs.length === 0;
        },
        { what: `${wanted.size} trace ids in the sink's traces and logs`, timeoutMs: 60_000, intervalMs: 2000 },
      ).catch(() => undefined);
      assert.deepEqual(
        missingTraces.slice(0, 10),
        [],
        `${missingTraces.length} of ${wanted.size} trace ids not in traces`,
      );
      assert.deepEqual(missingLogs.slice(0, 10), [], `${missingLogs.length} of ${wanted.size} trace ids not in logs`);
      console.log(`trace ids checked in traces and logs: ${wanted.size}`);
    }));
});
