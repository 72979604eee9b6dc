// Proves the benchmark harness works end to end (collector, every variant's server, load, /proc readings)
// with one very short round. It asserts that every number is real and that every variant started and
// exported what it should, never the performance budget: budgets are judged by `npm run bench` on a quiet
// machine, not by CI.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { runBenchmark, SCENARIOS, variantResult } from '../../bench/lib/benchmark.ts';
import { renderMarkdown, renderSummary } from '../../bench/lib/report.ts';
import { VARIANT_SPECS, VARIANTS } from '../../bench/lib/variants.ts';

for (const scenario of SCENARIOS) {
  test(`${scenario}: one short round measures every variant, and each exports what it should`, async () => {
    const result = await runBenchmark({
      scenario,
      rounds: 1,
      durationSec: 1,
      latencyDurationSec: 1,
      warmupSec: 1,
      connections: 10,
      pin: false,
    });

    assert.equal(result.runs.length, 2 * VARIANTS.length, 'a saturation and a latency run per variant');
    for (const run of result.runs) {
      const label = `${run.variant} ${run.phase}`;
      assert.ok(run.requests > 0, `${label}: expected requests, got ${run.requests}`);
      assert.ok(run.p50Ms > 0 && run.p99Ms >= run.p50Ms, `${label}: p50 ${run.p50Ms}, p99 ${run.p99Ms}`);
      // /proc counts CPU in 10 ms ticks, so a 1 s run on a busy machine may read 0; the sum below may not.
      assert.ok(
        Number.isFinite(run.cpuUsPerRequest) && run.cpuUsPerRequest >= 0,
        `${label}: CPU ${run.cpuUsPerRequest}`,
      );
      assert.equal(run.errors, 0, `${label}: socket errors`);
      assert.equal(run.non2xx, 0, `${label}: non-2xx responses`);
    }
    for (const variant of VARIANTS) {
      const measured = variantResult(result, variant);
      const cpuUs = result.runs
        .filter((r) => r.variant === variant)
        .reduce((sum, r) => sum + r.cpuUsPerRequest * r.requests, 0);
      assert.ok(cpuUs > 0, `${variant}: the server used no CPU time over its runs`);
      assert.ok(measured.memory.atEnd.rssMb > 10, `${variant}: RSS ${measured.memory.atEnd.rssMb} MB`);
      assert.ok(
        Number.isFinite(measured.throughputRatio) && measured.throughputRatio > 0,
        `${variant}: ratio ${measured.throughputRatio}`,
      );
      const spec = VARIANT_SPECS[variant];
      if (spec.receiver !== undefined) {
        // The variant's SDK really exported over OTLP/gRPC to its own receiver: spans and pino's log records.
        const { spans, logRecords } = measured.accepted;
        assert.ok(spans > 0, `${variant}: its receiver ${spec.receiver} accepted ${spans} spans`);
        if (spec.spansOnly === true) {
          assert.equal(logRecords, 0, `${variant}: sends spans only, yet ${logRecords} log records arrived`);
        } else {
          assert.ok(logRecords > 0, `${variant}: its receiver ${spec.receiver} accepted ${logRecords} log records`);
        }
        // Every read is a server span at least; a variant whose instrumentation did not patch the server
        // would export only a stray span or two.
        assert.ok(spans >= measured.requests * 0.5, `${variant}: ${spans} spans for ${measured.requests} requests`);
      } else {
        assert.equal(measured.accepted.spans, 0, `${variant}: exports no spans`);
      }
      if (spec.metricsEndpoint === true) {
        // fastify-metrics counted the requests in its route histogram, served on /metrics.
        const scraped = measured.scrapedRequests ?? 0;
        assert.ok(
          scraped >= measured.requests * 0.9,
          `${variant}: /metrics counted ${scraped} of ${measured.requests}`,
        );
      }
    }
    if (scenario === 'database') {
      // The OpenTelemetry variants trace ioredis and pg too: more spans than requests.
      for (const variant of ['otel-auto', 'fastify-otel'] as const) {
        const { accepted, requests } = variantResult(result, variant);
        assert.ok(accepted.spans > requests, `${variant}: ${accepted.spans} spans for ${requests} requests`);
      }
    }

    assert.match(renderSummary(result), /otel-auto .* µs\/req/);
    const markdown = renderMarkdown([result]);
    assert.match(markdown, /\| 1 \| baseline \| saturation \|/);
    assert.match(markdown, /\| OTel auto-instrumentation \| \d+ \|/);
    assert.match(markdown, /Sightline \/ OTel auto-instrumentation/);
    assert.match(markdown, new RegExp(`### ${scenario}, Node v\\d+`));
  });
}
