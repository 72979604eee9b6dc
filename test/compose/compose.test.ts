// The README's quick start and guided tour, run for real: a private Docker engine, the images
// docker-compose.yml names (built here and cached, docker/README.md), `docker compose up --wait`
// of the unchanged compose file plus test/compose/docker-compose.test.yml (Tempo and Loki replaced
// by collector sinks writing files, no Grafana/k6, ephemeral loopback ports), then each tour step
// as an assertion against the compose Prometheus, Alertmanager and the sink files.
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jsonAttribute, waitFor } from '@sightline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { dashboardPromQL, defaultValues, substitute } from '../../grafana/test/promql.ts';
import { type LoadResult, runLoad } from '../e2e/load.ts';
import { type ComposeProject, composeProject, type Engine, startEngine } from './engine.ts';
import { durationMs, sinkLogRecords, sinkSpans } from './sink-files.ts';

const repoDir = resolve(import.meta.dirname, '../..');
const PROJECT = 'sightline-test';
const OVERRIDE = 'test/compose/docker-compose.test.yml';
const SERVICE = 'divan-api';
/** The collector's slow-trace policy (SIGHTLINE_LATENCY_SLO_MS default). */
const SLOW_MS = 400;
/** OTLP SpanKind SERVER. */
const SPAN_KIND_SERVER = 2;

let work: string;
let engine: Engine | undefined;
let compose: ComposeProject | undefined;
let divanUrl: string;
let prometheusUrl: string;
let alertmanagerUrl: string;
let adminToken: string;
let tempoDir: string;
let lokiDir: string;
let load: LoadResult;
const timings: Record<string, number> = {};
let startedAt = Date.now();

/** The expression of the target with exemplars on, of the panel titled `title` in a dashboard. */
function exemplarTarget(file: string, title: string): string {
  type Panel = { title?: string; panels?: Panel[]; targets?: Array<{ expr?: string; exemplar?: boolean }> };
  const dashboard = JSON.parse(readFileSync(join(repoDir, 'grafana', 'dashboards', file), 'utf8')) as Panel;
  const panels = (list: Panel[] = []): Panel[] => list.flatMap((p) => [p, ...panels(p.panels)]);
  const expr = panels(dashboard.panels)
    .find((p) => p.title === title)
    ?.targets?.find((t) => t.exemplar === true)?.expr;
  if (expr === undefined) throw new Error(`${file}: no panel "${title}" with an exemplar target`);
  return expr;
}

const secret = (bytes: number) => randomBytes(bytes).toString('hex');

/** The production rules with DivanRedisDown's `for:` shortened, in a directory Prometheus mounts. */
function writeTestRules(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const rules = join(repoDir, 'prometheus', 'rules');
  copyFileSync(join(rules, 'recording.yml'), join(dir, 'recording.yml'));
  const alerts = parse(readFileSync(join(rules, 'alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert?: string; for?: string }> }>;
  };
  const redisDown = alerts.groups.flatMap((g) => g.rules).find((r) => r.alert === 'DivanRedisDown');
  if (redisDown === undefined) throw new Error('prometheus/rules/alerts.yml has no DivanRedisDown');
  redisDown.for = '10s';
  writeFileSync(join(dir, 'alerts.yml'), stringify(alerts));
}

async function promApi<T>(path: string): Promise<T> {
  const response = await fetch(`${prometheusUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.status}`);
  return body.data;
}
const instantQuery = (expr: string) =>
  promApi<{ result: unknown[] }>(`/api/v1/query?${new URLSearchParams({ query: expr })}`);

type AmAlert = { labels: Record<string, string>; endsAt: string; status: { state: string } };
async function alertmanagerAlerts(): Promise<AmAlert[]> {
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as AmAlert[];
}

async function forceTrace(): Promise<string> {
  const response = await fetch(`${divanUrl}/ops/trace/test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const body = (await response.json()) as { trace_id?: string };
  if (response.status !== 200 || typeof body.trace_id !== 'string') {
    throw new Error(`POST /ops/trace/test: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.trace_id;
}

const traceIdOf = (response: Response) =>
  /^00-([0-9a-f]{32})-/.exec(response.headers.get('traceparent') ?? '')?.[1] ?? '';

const divanSpans = () => sinkSpans(tempoDir).filter((s) => jsonAttribute(s.resource, 'service.name') === SERVICE);

/** On failure, appends the services' recent logs so the cause is in the test output. */
async function withLogs(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof Error && compose) error.message += `\n${await compose.logs([], 40)}`;
    throw error;
  }
}

describe('docker compose: the README quick start and guided tour', { timeout: 3_600_000 }, () => {
  beforeAll(async () => {
    const started = Date.now();
    startedAt = started;
    // Short: dockerd's containerd sockets live under the state directory (107-byte socket paths).
    work = mkdtempSync(join('/tmp', 'slc-'));
    tempoDir = join(work, 'sink', 'tempo');
    lokiDir = join(work, 'sink', 'loki');
    for (const dir of [tempoDir, lokiDir]) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
    }
    writeTestRules(join(work, 'rules'));
    adminToken = secret(16);
    const envFile = join(work, 'test.env');
    // The user's .env: .env.example as shipped, its secrets replaced by throwaway values, plus the
    // override's paths.
    const env = new Map(
      readFileSync(join(repoDir, '.env.example'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
    );
    env.set('POSTGRES_PASSWORD', secret(12));
    env.set('JWT_SECRET', secret(24));
    env.set('GRAFANA_ADMIN_PASSWORD', secret(12));
    env.set('OBS_ADMIN_TOKEN', adminToken);
    env.set('SIGHTLINE_TEST_SINK_DIR', join(work, 'sink'));
    env.set('SIGHTLINE_TEST_RULES_DIR', join(work, 'rules'));
    writeFileSync(envFile, [...env].map(([key, value]) => `${key}=${value}\n`).join(''), { mode: 0o600 });
    engine = await startEngine({
      repoDir,
      stateDir: join(work, 'engine'),
      dockerConfigDir: join(work, 'docker-config'),
    });
    Object.assign(timings, engine.timings);
    compose = composeProject({
      engine,
      repoDir,
      project: PROJECT,
      files: ['docker-compose.yml', OVERRIDE],
      envFile,
    });
    const upStart = Date.now();
    await compose.up(600_000);
    timings.up = Date.now() - upStart;
    divanUrl = `http://${await compose.port('divan', 8000)}`;
    prometheusUrl = `http://${await compose.port('prometheus', 9090)}`;
    alertmanagerUrl = `http://${await compose.port('alertmanager', 9093)}`;
    timings.total = Date.now() - started;
    console.log(`compose stack ready: ${JSON.stringify(timings)} (ms)`);
  }, 3_600_000);

  afterAll(async () => {
    await compose?.down().catch((error: Error) => console.error(error.message));
    await engine?.stop().catch((error: Error) => console.error(error.message));
    if (work) rmSync(work, { recursive: true, force: true });
  }, 300_000);

  it('tour 1: bounded load makes every Backend Overview and HTTP RED query return data', () =>
    withLogs(async () => {
      load = await runLoad({ baseUrl: divanUrl, adminToken, durationMs: 20_000, concurrency: 2 });
      expect(load.requests.length).toBeGreaterThan(100);
      const queries = dashboardPromQL({ service: SERVICE, env: 'dev' }).filter((q) =>
        /backend-overview|http-red/.test(q.dashboard),
      );
      expect(queries.length).toBeGreaterThan(0);
      let failures: string[] = [];
      await waitFor(
        async () => {
          failures = [];
          for (const q of queries) {
            try {
              const { result } = await instantQuery(q.expr);
              if (result.length === 0) failures.push(`no data: ${q.dashboard} / ${q.panel}: ${q.expr}`);
            } catch (error) {
              failures.push(`error: ${q.dashboard} / ${q.panel}: ${(error as Error).message}`);
            }
          }
          return failures.length === 0;
        },
        { what: 'Backend Overview and HTTP RED panels to have data', timeoutMs: 120_000, intervalMs: 3000 },
      ).catch(() => undefined);
      expect(failures).toEqual([]);
    }));

  it('tour 2: a forced trace and a genuinely slow request reach Tempo', () =>
    withLogs(async () => {
      const forced = await forceTrace();
      // Genuinely slow: PostgreSQL is frozen while a request that reads it is in flight.
      const login = await fetch(`${divanUrl}/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `slow_${Date.now().toString(36)}`, password: 'compose test password' }),
      });
      expect(login.status).toBe(201);
      await compose?.run(['pause', 'postgres']);
      const pending = fetch(`${divanUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody_here', password: 'compose test password' }),
      });
      const pausedAt = Date.now();
      // The request is in flight for at least as long as PostgreSQL stays paused.
      await waitFor(() => Date.now() - pausedAt > SLOW_MS + 300, { what: 'the pause', intervalMs: 50 });
      await compose?.run(['unpause', 'postgres']);
      const slow = traceIdOf(await pending);
      expect(slow).toMatch(/^[0-9a-f]{32}$/);
      await waitFor(
        () => {
          const ids = new Set(divanSpans().map((s) => s.traceId));
          return ids.has(forced) && ids.has(slow);
        },
        { what: `forced ${forced} and slow ${slow} in the Tempo sink`, timeoutMs: 60_000, intervalMs: 1000 },
      );
      const slowRoot = divanSpans().find((s) => s.traceId === slow && s.parentSpanId === undefined);
      expect(slowRoot && durationMs(slowRoot)).toBeGreaterThan(SLOW_MS);
    }));

  it('tour 2: idle polling (the leaderboard consumer) makes no root spans', () => {
    const idleRoots = divanSpans().filter(
      (s) => (s.parentSpanId ?? '') === '' && /XREADGROUP|xReadGroup|XREAD\b/i.test(s.name),
    );
    expect(idleRoots.map((s) => `${s.name} ${durationMs(s)} ms`)).toEqual([]);
  });

  it('tour 3: every kept request trace has its logs in Loki, with its trace_id', () =>
    withLogs(async () => {
      // A kept request: a trace whose HTTP server root span reached Tempo. Every request logs its
      // completion; the span POST /ops/trace/test forces is a trace of its own that logs nothing.
      // A `socket.io connect` span is a root of kind SERVER too when the CONNECT packet arrives over
      // the upgraded WebSocket (no HTTP request is active then); it is a connection, not a request,
      // and logs nothing, so only spans with an HTTP method count.
      const roots = divanSpans().filter(
        (s) =>
          (s.parentSpanId ?? '') === '' &&
          s.kind === SPAN_KIND_SERVER &&
          jsonAttribute(s.attributes, 'http.request.method') !== undefined,
      );
      const kept = new Set(roots.map((s) => s.traceId));
      expect(kept.size).toBeGreaterThan(0);
      let missing: string[] = [];
      await waitFor(
        () => {
          const logged = new Set(sinkLogRecords(lokiDir).map((r) => r.traceId));
          missing = [...kept].filter((id) => !logged.has(id));
          return missing.length === 0;
        },
        { what: `logs for ${kept.size} kept traces`, timeoutMs: 30_000, intervalMs: 1000 },
      ).catch(() => undefined);
      const names = missing.slice(0, 10).map((id) => `${id} ${roots.find((s) => s.traceId === id)?.name}`);
      expect(names, `${missing.length} of ${kept.size} kept requests have no logs`).toEqual([]);
    }));

  it('tour 2: every exemplar on the panel the tour names opens a trace the sampler kept', () =>
    withLogs(async () => {
      // Backend Overview -> "p95 latency by route", its target with exemplars on (README tour step 2).
      const target = exemplarTarget('backend-overview.json', 'p95 latency by route');
      const expr = substitute(target, { ...defaultValues, service: SERVICE, env: 'dev' });
      const query = new URLSearchParams({
        query: expr,
        start: String(startedAt / 1000),
        end: String(Date.now() / 1000 + 60),
      });
      let exemplars: string[] = [];
      let missing: string[] = [];
      await waitFor(
        async () => {
          const series = await promApi<Array<{ exemplars: Array<{ labels: Record<string, string> }> }>>(
            `/api/v1/query_exemplars?${query}`,
          );
          exemplars = [...new Set(series.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id ?? '')))];
          const kept = new Set(divanSpans().map((s) => s.traceId));
          missing = exemplars.filter((id) => !kept.has(id));
          return exemplars.length > 0 && missing.length === 0;
        },
        { what: 'exemplars on the panel, each a kept trace', timeoutMs: 90_000, intervalMs: 3000 },
      ).catch(() => undefined);
      expect(exemplars.length, `no exemplars for ${expr}`).toBeGreaterThan(0);
      expect(missing, `${missing.length} of ${exemplars.length} exemplars are not in Tempo`).toEqual([]);
    }));

  it('tour 5: `docker compose stop redis` fires DivanRedisDown in Alertmanager; it resolves after start', () =>
    withLogs(async () => {
      const firing = async () =>
        (await alertmanagerAlerts()).filter(
          (a) => a.labels.alertname === 'DivanRedisDown' && new Date(a.endsAt).getTime() > Date.now(),
        );
      expect(await firing()).toEqual([]);
      const stopped = Date.now();
      await compose?.run(['stop', 'redis']);
      try {
        const alerts = await waitFor(async () => ((await firing()).length > 0 ? firing() : false), {
          what: 'DivanRedisDown in Alertmanager',
          timeoutMs: 180_000,
          intervalMs: 2000,
        });
        expect(alerts[0]?.labels).toMatchObject({ service_name: SERVICE, severity: 'critical' });
        timings.redisAlert = Date.now() - stopped;
      } finally {
        await compose?.run(['start', 'redis']);
      }
      await waitFor(async () => (await firing()).length === 0, {
        what: 'DivanRedisDown resolved in Alertmanager',
        timeoutMs: 180_000,
        intervalMs: 2000,
      });
    }));

  it('host metrics: the collector in compose reports its host (cpu, memory, load, network) with a host_name', () =>
    withLogs(async () => {
      // The override points root_path at the container's own /proc (see docker-compose.test.yml), so
      // this proves the receiver, its pipeline and remote-write in the compose stack, not the /hostfs bind.
      const wanted = [
        'system_cpu_time_seconds_total',
        'system_memory_usage_bytes',
        'system_cpu_load_average_1m',
        'system_network_io_bytes_total',
      ];
      let missing: string[] = wanted;
      await waitFor(
        async () => {
          missing = [];
          for (const series of wanted) {
            const { result } = (await instantQuery(`count by (host_name) (${series})`)) as {
              result: { metric: Record<string, string> }[];
            };
            if (result.length === 0 || result.some((r) => !r.metric.host_name)) missing.push(series);
          }
          return missing.length === 0;
        },
        { what: 'host series in the compose Prometheus', timeoutMs: 120_000, intervalMs: 3000 },
      ).catch(() => undefined);
      expect(missing).toEqual([]);
    }));

  it('restarting the collector loses no trace it had queued', () =>
    withLogs(async () => {
      // Tempo down: kept traces wait in the collector's persistent queue (file_storage volume).
      await compose?.run(['stop', 'tempo']);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await forceTrace());
      const sentAt = new Date();
      // The tail sampler decides a lone root span 1 s after it arrives (decision_wait_after_root),
      // batches for 200 ms, then the Tempo exporter fails and retries from its persistent queue:
      // wait for that retry, logged after the traces were sent, and for the decision time to pass.
      await waitFor(
        async () => {
          if (Date.now() - sentAt.getTime() < 5000) return false;
          const logs = await compose?.run(['logs', '--no-color', '--since', sentAt.toISOString(), 'otel-collector']);
          return /Exporting failed\. Will retry[^\n]*otlp_grpc\/tempo|otlp_grpc\/tempo[^\n]*Exporting failed\. Will retry/.test(
            logs ?? '',
          );
        },
        { what: 'the collector retrying the forced traces to Tempo', timeoutMs: 60_000, intervalMs: 1000 },
      );
      await compose?.run(['restart', 'otel-collector'], 180_000);
      await compose?.run(['start', 'tempo']);
      let missing: string[] = ids;
      await waitFor(
        () => {
          const seen = new Set(divanSpans().map((s) => s.traceId));
          missing = ids.filter((id) => !seen.has(id));
          return missing.length === 0;
        },
        { what: 'every queued trace in Tempo after the restart', timeoutMs: 120_000, intervalMs: 1000 },
      ).catch(() => undefined);
      expect(missing).toEqual([]);
    }));

  it('a service that never becomes healthy fails `up --wait`, naming it and showing its logs', async () => {
    if (engine === undefined) throw new Error('no engine');
    const dir = join(work, 'unhealthy');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'compose.yml'),
      stringify({
        services: {
          'never-healthy': {
            image: 'debian:bookworm-slim',
            command: ['sh', '-c', 'echo never-healthy says hello; exec sleep 600'],
            healthcheck: { test: ['CMD', 'false'], interval: '1s', retries: 2 },
          },
        },
      }),
    );
    writeFileSync(join(dir, 'empty.env'), '');
    const broken = composeProject({
      engine,
      repoDir,
      project: 'sightline-test-unhealthy',
      files: [join(dir, 'compose.yml')],
      envFile: join(dir, 'empty.env'),
    });
    try {
      await expect(broken.up(30_000)).rejects.toThrow(/not healthy: never-healthy[\s\S]*never-healthy says hello/);
    } finally {
      await broken.down();
    }
  });
});
