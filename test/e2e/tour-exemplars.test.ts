// README tour step 2: "click an exemplar dot: the trace opens in Tempo". This finds the panel the
// README names in the generated dashboards, sends traffic through the SDK to the production
// collector config (tail sampling on), and asks the real Prometheus (exemplar storage on) for that
// panel's exemplars: each must carry the trace_id of a trace the sampler kept, i.e. one the sink
// (standing in for Tempo) received.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type Pipeline, startPipeline, waitFor } from '@sightline/harness';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { substitute } from '../../grafana/test/promql.ts';

const repoDir = fileURLToPath(new URL('../..', import.meta.url));

interface Exemplar {
  labels: Record<string, string>;
  value: string;
  timestamp: number;
}
interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: Exemplar[];
}
interface PanelJson {
  title?: string;
  panels?: PanelJson[];
  targets?: Array<{ expr?: string; exemplar?: boolean }>;
}

/** The dashboard and panel README's tour step 2 tells the user to open. */
function tourPanel(): { dashboard: string; panel: string; exprs: string[] } {
  const readme = readFileSync(join(repoDir, 'README.md'), 'utf8');
  const step = /2\. \*\*A slow trace\.\*\* Open \*([^*]+)\* → "([^"]+)"/.exec(readme);
  assert.ok(step, 'README tour step 2 names a dashboard and a panel');
  const [, dashboard = '', panel = ''] = step;
  const dir = join(repoDir, 'grafana', 'dashboards');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as PanelJson;
    if (json.title !== dashboard) continue;
    const panels = (json.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
    const found = panels.find((p) => p.title === panel);
    assert.ok(found, `dashboard "${dashboard}" has a panel "${panel}"`);
    const exprs = (found.targets ?? []).filter((t) => t.exemplar === true).map((t) => String(t.expr));
    return { dashboard, panel, exprs };
  }
  throw new Error(`no dashboard titled "${dashboard}" in grafana/dashboards`);
}

let pipeline: Pipeline;
// biome-ignore lint/suspicious/noExplicitAny: the SDK's type is not needed here
let sightline: any;
let base: string;
let close: () => Promise<void>;

async function exemplars(prometheusUrl: string, expr: string): Promise<Exemplar[]> {
  const now = Date.now() / 1000;
  const url = `${prometheusUrl}/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${now - 600}&end=${now + 60}`;
  const body = (await (await fetch(url)).json()) as { status: string; data?: ExemplarSeries[]; error?: string };
  assert.equal(body.status, 'success', body.error);
  return (body.data ?? []).flatMap((series) => series.exemplars);
}

describe('tour step 2: exemplars on the panel the README names open kept traces', () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ collectorEnv: { SIGHTLINE_SAMPLING_PERCENTAGE: '10' } });
    const { init, sightlineFastify } = await import('@sightline/node');
    sightline = init({
      serviceName: 'divan-api',
      environment: 'test',
      otlpEndpoint: `http://${pipeline.collector.otlpGrpcEndpoint}`,
      metricExportIntervalMs: 1000,
      disabledInstrumentations: ['runtime', 'undici'],
      logDestination: new Writable({ write: (_chunk, _encoding, done) => done() }),
    });
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    await app.register(sightlineFastify, { sightline });
    app.get('/items/:id', async () => ({ ok: true }));
    app.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 450));
      return { ok: true };
    });
    app.get('/fail', async (_request, reply) => reply.code(500).send({ error: 'boom' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    await sightline?.shutdown();
    await pipeline?.stop();
  });

  it('every exemplar of the panel carries the trace id of a trace the sink received', async () => {
    const { dashboard, panel, exprs } = tourPanel();
    assert.ok(exprs.length > 0, `"${dashboard}" / "${panel}" has a target with exemplars on`);

    // Ordinary requests (10% of their traces kept), slow and failed ones (all kept), in rounds so
    // span metrics flush (every second here) several times.
    let sent = 0;
    for (let round = 0; round < 6; round++) {
      await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => fetch(`${base}/items/${i}`).then((r) => r.arrayBuffer())),
        fetch(`${base}/slow`).then((r) => r.arrayBuffer()),
        fetch(`${base}/fail`).then((r) => r.arrayBuffer()),
      ]);
      sent += 42;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    const prometheus = pipeline.prometheus;
    const queries = exprs.map((expr) => substitute(expr, { service: 'divan-api', env: 'test', __rate_interval: '1m' }));
    let found: Exemplar[] = [];
    await waitFor(
      async () => {
        found = (await Promise.all(queries.map((q) => exemplars(prometheus.url, q)))).flat();
        return found.length >= 10;
      },
      { what: `10+ exemplars for "${panel}" in Prometheus`, timeoutMs: 60_000 },
    );
    // Every exemplar's trace reaches the sink (decided 1 s after it arrives, then batched).
    const kept = () => new Set(pipeline.sink.spans().map((span) => span.traceId));
    const ids = () => found.map((exemplar) => exemplar.labels.trace_id ?? '');
    await waitFor(() => ids().every((id) => kept().has(id)), {
      what: 'every exemplar trace in the sink',
      timeoutMs: 30_000,
    }).catch(() => undefined);
    const missing = ids().filter((id) => !kept().has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${found.length} exemplars point at traces the sampler dropped`);

    // Sampling did drop traces, and the ordinary kept ones show up as exemplars too, not only slow
    // and failed ones.
    const keptTraces = kept().size;
    assert.ok(keptTraces < sent / 2, `the sampler kept ${keptTraces} of ${sent} traces`);
    assert.ok(
      found.some((exemplar) => Number(exemplar.value) < 0.4),
      'some exemplars are fast requests',
    );
    assert.ok(
      found.some((exemplar) => Number(exemplar.value) >= 0.4),
      'some exemplars are slow requests',
    );

    // The histograms the other targets read carry none: before, the panel's dots came from here.
    for (const family of [
      'http_server_request_duration_seconds_bucket',
      'traces_span_metrics_duration_seconds_bucket',
    ]) {
      assert.ok((await prometheus.queryScalar(`count(${family})`)) > 0, `${family} has series`);
      assert.deepEqual(await exemplars(prometheus.url, family), [], `${family} carries no exemplars`);
    }
  });
});
