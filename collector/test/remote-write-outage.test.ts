// Prometheus down for 2 minutes (SIGHTLINE_OUTAGE_S; scripts/soak-outage.sh runs 15) while a
// counter keeps arriving at the real collector once a second: after Prometheus is back, every
// sample of the counter is in its TSDB, in order, without a gap. Before the fix the exporter gave
// each batch 5 s of retries and then dropped it (24 of 408 samples lost in 2 minutes).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Collector,
  countersRequest,
  freePort,
  type Prometheus,
  postOtlpJson,
  startCollector,
  startPrometheus,
  tempDir,
  waitFor,
} from '@sightline/harness';
import { afterAll, describe, expect, it } from 'vitest';

/** Another collector config to run against (how the before numbers were measured). @default collector/otelcol.yaml */
const CONFIG = process.env.SIGHTLINE_COLLECTOR_CONFIG;

/** Outage length in seconds. @default 120 */
const OUTAGE_S = Number(process.env.SIGHTLINE_OUTAGE_S ?? 120);
const BEFORE_S = 10;
const AFTER_S = 10;
const METRIC = 'outage_probe_requests';
const resource = { 'service.name': 'outage-probe', 'deployment.environment.name': 'test' };

describe(`a ${OUTAGE_S} s Prometheus outage loses no remote-written sample`, () => {
  const running: Array<{ stop(): Promise<void> }> = [];
  afterAll(async () => {
    for (const server of running.reverse()) await server.stop();
  });

  it(
    'delivers every sample of a counter after Prometheus is back, in order',
    async () => {
      const port = await freePort();
      const dir = tempDir('outage-prometheus');
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir);
      // The stack's own late-sample setting (prometheus/prometheus.yml).
      const configFile = join(dir, 'prometheus.yml');
      writeFileSync(
        configFile,
        'global:\n  scrape_interval: 15s\nstorage:\n  tsdb:\n    out_of_order_time_window: 30m\n',
      );
      const start = (name: string) => startPrometheus({ name, port, dataDir, configFile });
      let prometheus: Prometheus = await start('prometheus-before-outage');
      const current = { stop: () => prometheus.stop() };
      running.push(current);

      const collector: Collector = await startCollector({
        ...(CONFIG && { config: CONFIG }),
        name: 'collector-outage',
        env: {
          SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: prometheus.remoteWriteUrl,
          // Nothing listens there: traces and logs are not part of this test.
          SIGHTLINE_TEMPO_ENDPOINT: `127.0.0.1:${await freePort()}`,
          SIGHTLINE_LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        },
      });
      running.push(collector);

      // The counter: value n at the n-th second, one export per second (as an SDK would send it).
      const startMs = Date.now();
      let sent = 0;
      const sendOne = async () => {
        sent += 1;
        await postOtlpJson(
          collector.otlpHttpUrl,
          'metrics',
          countersRequest(resource, [
            { name: METRIC, startMs, timeMs: Date.now(), points: [{ attributes: { route: '/probe' }, value: sent }] },
          ]),
        );
      };
      let sending = true;
      const sender = (async () => {
        while (sending) {
          const next = Date.now() + 1000;
          await sendOne();
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
        }
      })();

      const series = `${METRIC}_total{service_name="outage-probe"}`;
      await waitFor(async () => (await prometheus.queryScalar(`count_over_time(${series}[1h])`)) >= BEFORE_S, {
        what: `${BEFORE_S} samples before the outage`,
        timeoutMs: 60_000,
        intervalMs: 500,
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${collector.logs()}\n${prometheus.logs()}`);
      });

      await prometheus.stop();
      const outageStartedAt = Date.now();
      // The outage: poll for its end (the sender keeps going meanwhile).
      await waitFor(() => Date.now() - outageStartedAt >= OUTAGE_S * 1000, {
        what: 'the end of the outage',
        timeoutMs: OUTAGE_S * 1000 + 10_000,
        intervalMs: 1000,
      });
      prometheus = await start('prometheus-after-outage');
      const backAt = Date.now();
      await waitFor(() => Date.now() - backAt >= AFTER_S * 1000, {
        what: 'a few samples after the outage',
        timeoutMs: AFTER_S * 1000 + 10_000,
        intervalMs: 500,
      });
      sending = false;
      await sender;

      // Every sample arrives: the queued backlog first, then the live ones behind it.
      await waitFor(async () => (await prometheus.queryScalar(`count_over_time(${series}[1h])`)) === sent, {
        what: `all ${sent} samples in Prometheus`,
        timeoutMs: 60_000,
        intervalMs: 1000,
      }).catch(async (error: Error) => {
        const have = await prometheus.queryScalar(`count_over_time(${series}[1h])`).catch(() => -1);
        throw new Error(`${error.message} (has ${have})\n${collector.logs()}`);
      });

      // In order and without a gap: the raw samples are exactly 1, 2, ..., sent at rising timestamps.
      const [raw] = (
        await prometheus.api<{ result: Array<{ values: Array<[number, string]> }> }>(
          `/api/v1/query?${new URLSearchParams({ query: `${series}[1h]` })}`,
        )
      ).result;
      const values = (raw?.values ?? []).map(([, v]) => Number(v));
      expect(values).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
      const times = (raw?.values ?? []).map(([t]) => t);
      expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
      expect(sent).toBeGreaterThanOrEqual(BEFORE_S + OUTAGE_S + AFTER_S - 5);
      expect(collector.logs()).not.toMatch(/Dropping data|dropped_items/);
      console.log(`remote-write outage: ${OUTAGE_S} s, ${sent} samples sent, ${values.length} in Prometheus`);
    },
    (BEFORE_S + OUTAGE_S + AFTER_S) * 1000 + 180_000,
  );
});
