/**
 * The pipelines `npm run bench:collector` measures, from a minimal one up to the production config,
 * one processor added per stage so each one's cost shows as the difference between two stages.
 * Every stage is built from collector/otelcol.yaml itself: the same component definitions (receiver
 * limits, memory limiter, batch, the PII rules, span metrics, tail sampling, exporters with their
 * persistent queues), only `service.pipelines` differs. The last stage of each signal is the
 * production file unchanged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export type Signal = 'traces' | 'logs';

interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}

/** One measured configuration. */
export interface Stage {
  /** Short id, e.g. `+scrub`. */
  id: string;
  /** What this stage adds to the one before it. */
  adds: string;
  /** `service.pipelines` of the variant; undefined: the production file unchanged. */
  pipelines?: Record<string, Pipeline>;
}

const spanMetricsPipeline: Pipeline = {
  receivers: ['otlp'],
  processors: ['memory_limiter', 'filter/health', 'transform/http_method', 'sightline_pii/span_labels'],
  exporters: ['span_metrics'],
};
const metricsPipeline = (receivers: string[]): Pipeline => ({
  receivers,
  processors: ['memory_limiter', 'transform/contract_labels', 'sightline_pii', 'batch'],
  exporters: ['prometheus_remote_write'],
});

/** The stages of one signal, in order. */
export function stagesOf(signal: Signal): Stage[] {
  if (signal === 'logs') {
    return [
      {
        id: 'minimal',
        adds: 'otlp → batch → otlp_http/loki',
        pipelines: { logs: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_http/loki'] } },
      },
      {
        id: '+memory_limiter',
        adds: 'memory_limiter first',
        pipelines: {
          logs: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlp_http/loki'] },
        },
      },
      { id: 'production', adds: '+ sightline_pii: collector/otelcol.yaml' },
    ];
  }
  const tempo = ['otlp_grpc/tempo'];
  return [
    {
      id: 'minimal',
      adds: 'otlp → batch → otlp_grpc/tempo',
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: tempo } },
    },
    {
      id: '+memory_limiter',
      adds: 'memory_limiter first',
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: tempo } },
    },
    {
      id: '+scrub',
      adds: 'sightline_pii on every span',
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'sightline_pii', 'batch'], exporters: tempo },
      },
    },
    {
      id: '+span_metrics',
      adds: 'a second pipeline: filter/health, transform/http_method, sightline_pii/span_labels → span_metrics → metrics pipeline',
      pipelines: {
        'traces/spanmetrics': spanMetricsPipeline,
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'sightline_pii', 'batch'], exporters: tempo },
        metrics: metricsPipeline(['span_metrics']),
      },
    },
    {
      id: 'production',
      adds: '+ transform/http_method and tail_sampling before the scrub (kept spans only), span_metrics/kept: collector/otelcol.yaml',
    },
  ];
}

/**
 * Writes `stage`'s config into `dir` and returns its path (the production file itself for the
 * last stage). Component definitions come from `productionConfig` unchanged.
 */
export function stageConfig(stage: Stage, productionConfig: string, dir: string): string {
  if (stage.pipelines === undefined) return productionConfig;
  const config = parse(readFileSync(productionConfig, 'utf8')) as { service: { pipelines: unknown } };
  config.service.pipelines = stage.pipelines;
  const path = join(dir, `otelcol.${stage.id.replace(/[^a-z_]/g, '')}.yaml`);
  writeFileSync(path, stringify(config, { lineWidth: 0 }));
  return path;
}
