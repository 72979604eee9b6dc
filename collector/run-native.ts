/**
 * Starts the native stand-in for the compose stack on loopback: the built collector with the real
 * config, a sink collector standing in for Tempo and Loki, and Prometheus with the remote-write
 * receiver. Prints where everything listens; Ctrl-C stops it all.
 *
 *   node --import tsx collector/run-native.ts
 */
import { startPipeline } from '@sightline/harness';

const pipeline = await startPipeline({
  // Production timings unless overridden from the environment.
  collectorEnv: {
    SIGHTLINE_SAMPLING_DECISION_WAIT: process.env.SIGHTLINE_SAMPLING_DECISION_WAIT ?? '10s',
    SIGHTLINE_SPANMETRICS_FLUSH_INTERVAL: process.env.SIGHTLINE_SPANMETRICS_FLUSH_INTERVAL ?? '15s',
    SIGHTLINE_BATCH_TIMEOUT: process.env.SIGHTLINE_BATCH_TIMEOUT ?? '1s',
  },
});
const { collector, sink, prometheus } = pipeline;
console.log(
  [
    `collector OTLP gRPC   ${collector.otlpGrpcEndpoint}   (OTEL_EXPORTER_OTLP_ENDPOINT=http://${collector.otlpGrpcEndpoint})`,
    `collector OTLP HTTP   ${collector.otlpHttpUrl}`,
    `collector health      ${collector.healthUrl}`,
    `collector metrics     ${collector.metricsUrl}`,
    `Prometheus            ${prometheus.url}`,
    `sink (Tempo, Loki)    ${sink.dir}/{traces,logs}.jsonl`,
    'Ctrl-C to stop.',
  ].join('\n'),
);
const stop = async () => {
  await pipeline.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
