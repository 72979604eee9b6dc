// The example service as a user runs it (`npm start`'s command, a real child process) against the
// real pipeline: production collector config -> sink (Tempo and Loki stand-in) + real Prometheus.
// Proves what issue 12 asks of a service that adopted the SDK from its README alone: server spans
// named by route template, logs carrying trace ids, and the service's OWN catalog metric with its
// bounded label, each read back from where the stack stores it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  jsonAttribute,
  type ManagedProcess,
  type Pipeline,
  startManaged,
  startPipeline,
  waitFor,
} from '@sightline/harness';
import { afterAll, beforeAll, describe, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const SERVICE = 'express-orders';

let pipeline: Pipeline;
let service: ManagedProcess;
let base: string;

const bound = (le: string | undefined) => (le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le));
const ofService = <T extends { resource: Parameters<typeof jsonAttribute>[0] }>(items: T[]) =>
  items.filter((item) => jsonAttribute(item.resource, 'service.name') === SERVICE);

async function post(body: unknown): Promise<Response> {
  return fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('examples/express-orders exports through the real pipeline', () => {
  beforeAll(async () => {
    // The example imports the built SDK, as a user's service would (`npm run build` in CI first).
    const built = fileURLToPath(new URL('../../../packages/node/dist/index.js', import.meta.url));
    assert.ok(existsSync(built), 'packages/node/dist is missing: run `npm run build -w @sightline/node`');
    // Every trace kept, so each request's trace can be looked up in the sink.
    pipeline = await startPipeline({ collectorEnv: { SIGHTLINE_SAMPLING_PERCENTAGE: '100' } });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = await startManaged({
      name: SERVICE,
      command: process.execPath,
      args: ['--import', 'tsx', '--import', './src/preload.ts', 'src/main.ts'],
      cwd: exampleDir,
      env: {
        PORT: String(port),
        OTEL_SERVICE_NAME: SERVICE,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${pipeline.collector.otlpGrpcEndpoint}`,
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        DEPLOYMENT_ENVIRONMENT: 'test',
        LOG_LEVEL: 'info',
      },
      readyUrl: `${base}/health/ready`,
      timeoutMs: 60_000,
    });
  });

  afterAll(async () => {
    await service?.stop();
    await pipeline?.stop();
  });

  it('answers its routes, its own health checks and 4xx for bad input', async () => {
    const startup = (await (await fetch(`${base}/health/startup`)).json()) as { checks: Record<string, unknown> };
    assert.deepEqual(Object.keys(startup.checks).sort(), ['config', 'otlp_endpoint', 'port']);
    const ready = (await (await fetch(`${base}/health/ready`)).json()) as { status: string; checks: object };
    assert.equal(ready.status, 'ok');
    assert.deepEqual(Object.keys(ready.checks), ['order_store']);

    const bad = await post({ channel: 'fax', total: 10 });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_channel');
    const broken = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{broken',
    });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as { error: string }).error, 'entity.parse.failed');
    assert.equal((await fetch(`${base}/orders/nope`)).status, 404);
  });

  it('server spans by route template and logs with their trace ids reach the sink, its metric Prometheus', async () => {
    const created: Array<{ id: string; traceId: string }> = [];
    for (const [channel, total] of [
      ['web', 19.5],
      ['web', 120],
      ['mobile', 42],
    ] as const) {
      const response = await post({ channel, total });
      assert.equal(response.status, 201);
      const order = (await response.json()) as { id: string; channel: string; total: number };
      assert.equal(order.channel, channel);
      const traceId = response.headers.get('traceparent')?.split('-')[1];
      assert.ok(traceId, 'the adapter answers with traceparent');
      created.push({ id: order.id, traceId });
    }
    const first = created[0];
    assert.ok(first);
    const fetched = await fetch(`${base}/orders/${first.id}`);
    assert.equal(fetched.status, 200);
    assert.equal(((await fetched.json()) as { id: string }).id, first.id);
    const getTrace = fetched.headers.get('traceparent')?.split('-')[1];

    // Tempo stand-in: one SERVER span per request, named and labelled by the route template.
    const serverSpans = () => ofService(pipeline.sink.spans()).filter((span) => span.kind === 2);
    await waitFor(
      () =>
        created.every(({ traceId }) => serverSpans().some((s) => s.traceId === traceId)) &&
        serverSpans().some((s) => s.traceId === getTrace),
      { what: 'the server spans of every request in the sink', timeoutMs: 60_000 },
    ).catch((error) => assert.fail(`${error}\n${pipeline.logs()}`));
    for (const { traceId } of created) {
      const span = serverSpans().find((s) => s.traceId === traceId);
      assert.equal(span?.name, 'POST /orders');
      assert.equal(jsonAttribute(span?.attributes, 'http.route'), '/orders');
      assert.equal(jsonAttribute(span?.attributes, 'http.response.status_code'), 201);
    }
    const getSpan = serverSpans().find((s) => s.traceId === getTrace);
    assert.equal(getSpan?.name, 'GET /orders/:id');
    assert.equal(jsonAttribute(getSpan?.attributes, 'http.route'), '/orders/:id');

    // Loki stand-in: the handler's own line and the adapter's request line, in each request's trace.
    // The message is the body, the line's fields (order_id, route, ...) are attributes.
    const bodyOf = (record: { body?: unknown; attributes?: unknown }) =>
      JSON.stringify([record.body ?? '', record.attributes ?? []]);
    await waitFor(
      () =>
        created.every(({ id, traceId }) =>
          ofService(pipeline.sink.logRecords()).some((r) => r.traceId === traceId && bodyOf(r).includes(id)),
        ),
      { what: "every 'order created' log record with its trace id in the sink", timeoutMs: 60_000 },
    ).catch((error) =>
      assert.fail(`${error}\n${ofService(pipeline.sink.logRecords()).slice(0, 5).map(bodyOf).join('\n')}`),
    );
    const records = ofService(pipeline.sink.logRecords());
    for (const { id, traceId } of created) {
      const inTrace = records.filter((r) => r.traceId === traceId).map(bodyOf);
      assert.ok(
        inTrace.some((body) => body.includes('order created') && body.includes(id)),
        inTrace.join('\n'),
      );
      assert.ok(
        inTrace.some((body) => body.includes('request completed')),
        inTrace.join('\n'),
      );
    }

    // Prometheus: the catalog's counter and histogram, bounded `channel` label, this service's series.
    const selector = `{job="${SERVICE}"}`;
    const counts = await waitFor(
      async () => {
        const samples = await pipeline.prometheus.query(`orders_created_total${selector}`);
        const byChannel = Object.fromEntries(samples.map((s) => [s.metric.channel, Number(s.value[1])]));
        return byChannel.web === 2 && byChannel.mobile === 1 ? samples : undefined;
      },
      { what: 'orders_created_total{channel} = web 2, mobile 1 in Prometheus', timeoutMs: 60_000 },
    ).catch(async (error) =>
      assert.fail(`${error}\n${JSON.stringify(await pipeline.prometheus.series('{__name__=~"orders.*"}'))}`),
    );
    assert.deepEqual(counts.map((s) => s.metric.channel).sort(), ['mobile', 'web']);
    const valueSum = await pipeline.prometheus.queryScalar(`sum(orders_value_sum${selector})`);
    assert.equal(valueSum, 19.5 + 120 + 42);
    const buckets = await pipeline.prometheus.query(`orders_value_bucket{job="${SERVICE}",channel="web"}`);
    assert.deepEqual(
      buckets.map((s) => s.metric.le).sort((a, b) => bound(a) - bound(b)),
      ['5', '10', '25', '50', '100', '250', '500', '1000', '+Inf'],
    );
    // The up-down counter is exported too, back at 0 once every request has finished.
    const active = await pipeline.prometheus.query(`orders_checkouts_active${selector}`);
    assert.deepEqual(
      active.map((s) => s.value[1]),
      ['0'],
    );
  });

  it('stops on SIGTERM: closes the server, flushes telemetry and exits 0', async () => {
    const exited = service.exited();
    await service.stop(15_000);
    assert.equal(await exited, 0, service.logs());
    assert.match(service.logs(), /"signal":"SIGTERM","msg":"shutting down"/);
  });
});
