import { join } from 'node:path';
import { type Collector, freePort, repoRoot, startCollector, tempDir } from '@sightline/harness';
import { VARIANT_SPECS, type Variant } from './variants.ts';

/** Exported totals the collector accepted from one receiver, read from its own metrics. */
export interface Accepted {
  spans: number;
  metricPoints: number;
  logRecords: number;
}

/** The benchmark's collector (bench/collector.yaml): one OTLP/gRPC receiver per instrumented variant. */
export interface BenchCollector {
  /** `host:port` of the OTLP/gRPC receiver `variant` exports to; undefined for variants that export nothing. */
  endpointOf(variant: Variant): string | undefined;
  /** What the collector accepted so far from `variant`'s receiver. */
  accepted(variant: Variant): Promise<Accepted>;
  logs(): string;
  stop(): Promise<void>;
}

/** Env var of bench/collector.yaml holding each extra receiver's endpoint (`otlp` uses the harness's own). */
const RECEIVER_ENDPOINT_ENV: Record<string, string> = {
  'otlp/otel-auto': 'BENCH_OTEL_AUTO_GRPC_ENDPOINT',
  'otlp/fastify-otel': 'BENCH_FASTIFY_OTEL_GRPC_ENDPOINT',
  'otlp/otel-floor': 'BENCH_OTEL_FLOOR_GRPC_ENDPOINT',
};

/** Sums the samples of `name` (with or without `_total`) whose `receiver` label is `receiver`. */
export function sumReceiverSeries(exposition: string, name: string, receiver: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const bare = line.replace(/_total(?=[{ ])/, '');
    if (!bare.startsWith(`${name}{`) || !line.includes(`receiver="${receiver}"`)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Starts the collector with bench/collector.yaml on free loopback ports and a rotating temp sink file. */
export async function startBenchCollector(name = 'bench-collector'): Promise<BenchCollector> {
  const endpoints: Record<string, string> = {};
  const env: NodeJS.ProcessEnv = { BENCH_SINK_PATH: join(tempDir(`${name}-sink`), 'otlp.pb') };
  for (const [receiver, key] of Object.entries(RECEIVER_ENDPOINT_ENV)) {
    endpoints[receiver] = `127.0.0.1:${await freePort()}`;
    env[key] = endpoints[receiver];
  }
  const collector: Collector = await startCollector({ config: join(repoRoot, 'bench/collector.yaml'), name, env });
  endpoints.otlp = collector.otlpGrpcEndpoint;
  const receiverOf = (variant: Variant) => VARIANT_SPECS[variant].receiver;
  return {
    endpointOf: (variant) => {
      const receiver = receiverOf(variant);
      return receiver === undefined ? undefined : endpoints[receiver];
    },
    async accepted(variant) {
      const receiver = receiverOf(variant);
      if (receiver === undefined) return { spans: 0, metricPoints: 0, logRecords: 0 };
      const text = await (await fetch(collector.metricsUrl)).text();
      return {
        spans: sumReceiverSeries(text, 'otelcol_receiver_accepted_spans', receiver),
        metricPoints: sumReceiverSeries(text, 'otelcol_receiver_accepted_metric_points', receiver),
        logRecords: sumReceiverSeries(text, 'otelcol_receiver_accepted_log_records', receiver),
      };
    },
    logs: () => collector.logs(),
    stop: () => collector.stop(),
  };
}
