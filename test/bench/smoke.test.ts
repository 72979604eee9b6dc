// Proves the benchmark harness works end to end (collector, both servers, load, /proc readings)
// with one very short round. It asserts that every number is real, never the performance budget:
// budgets are judged by `npm run bench` on a quiet machine, not by CI.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { runBenchmark, SCENARIOS } from '../../bench/lib/benchmark.ts';
import { renderMarkdown } from '../../bench/lib/report.ts';

for (const scenario of SCENARIOS) {
  test(`${scenario}: one short benchmark round measures both variants and the collector receives traces and logs`, async () => {
    const result = await runBenchmark({
      scenario,
      rounds: 1,
      durationSec: 1,
      warmupSec: 1,
      connections: 10,
      pin: false,
    });

    assert.equal(result.runs.length, 4, 'a saturation and a latency run per variant');
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
    for (const variant of ['baseline', 'instrumented'] as const) {
      const cpuUs = result.runs
        .filter((r) => r.variant === variant)
        .reduce((sum, r) => sum + r.cpuUsPerRequest * r.requests, 0);
      assert.ok(cpuUs > 0, `${variant}: the server used no CPU time over its runs`);
      assert.ok(result.memory[variant].atEnd.rssMb > 10, `${variant}: RSS ${result.memory[variant].atEnd.rssMb} MB`);
    }
    // The instrumented server really exported over OTLP/gRPC: trace spans and log records arrived.
    assert.ok(result.accepted.spans > 0, `collector accepted ${result.accepted.spans} spans`);
    assert.ok(result.accepted.logRecords > 0, `collector accepted ${result.accepted.logRecords} log records`);
    assert.ok(Number.isFinite(result.summary.throughputRatio) && result.summary.throughputRatio > 0);

    const markdown = renderMarkdown([result]);
    assert.match(markdown, /\| 1 \| baseline \| saturation \|/);
    assert.match(markdown, /Throughput ratio/);
    assert.match(markdown, new RegExp(`### Scenario \`${scenario}\``));
  });
}
