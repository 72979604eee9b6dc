import { type Collector, startCollector } from './collector.ts';
import type { ManagedProcess } from './process.ts';
import { type Prometheus, type PrometheusOptions, startPrometheus } from './prometheus.ts';
import { type Sink, startSink } from './sink.ts';

/** Options for {@link startPipeline}. */
export interface PipelineOptions {
  /** Extra env for the production collector (test-only knobs win over the wiring below). */
  collectorEnv?: NodeJS.ProcessEnv;
  /** Passed to {@link startPrometheus}. */
  prometheus?: PrometheusOptions;
}

/** The native stand-in for the compose stack: collector -> sink (Tempo, Loki) + Prometheus. */
export interface Pipeline {
  readonly collector: Collector;
  readonly sink: Sink;
  readonly prometheus: Prometheus;
  /** Every process's logs, for an assertion message. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts the sink, Prometheus (remote-write receiver on) and the production collector config,
 * wired together on free loopback ports. Short test timings: 1 s decision wait, 1 s span-metrics
 * flush, 200 ms batches; override any of them through `collectorEnv`.
 */
export async function startPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const started: Array<{ stop(): Promise<void>; process: ManagedProcess }> = [];
  try {
    const sink = await startSink();
    started.push(sink);
    const prometheus = await startPrometheus(options.prometheus);
    started.push(prometheus);
    const collector = await startCollector({
      env: {
        SIGHTLINE_TEMPO_ENDPOINT: sink.otlpGrpcEndpoint,
        SIGHTLINE_TEMPO_INSECURE: 'true',
        SIGHTLINE_LOKI_OTLP_ENDPOINT: sink.otlpHttpUrl,
        SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: prometheus.remoteWriteUrl,
        SIGHTLINE_SAMPLING_DECISION_WAIT: '1s',
        SIGHTLINE_SPANMETRICS_FLUSH_INTERVAL: '1s',
        SIGHTLINE_BATCH_TIMEOUT: '200ms',
        ...options.collectorEnv,
      },
    });
    started.push(collector);
    return {
      collector,
      sink,
      prometheus,
      logs: () => [collector.logs(), sink.logs(), prometheus.logs()].join('\n'),
      // The collector first, so it flushes to backends that are still up.
      stop: async () => {
        await collector.stop();
        await Promise.all([sink.stop(), prometheus.stop()]);
      },
    };
  } catch (error) {
    await Promise.all(started.map((server) => server.stop()));
    throw error;
  }
}
