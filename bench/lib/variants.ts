import { fileURLToPath } from 'node:url';

/**
 * The ways the same Fastify service is run, side by side in one benchmark run:
 * - `baseline`: no instrumentation;
 * - `sightline`: `@sightline/node` with every signal on (what this repository ships);
 * - `otel-auto`: OpenTelemetry's NodeSDK with `@opentelemetry/auto-instrumentations-node` (its defaults);
 * - `fastify-otel`: NodeSDK with `@fastify/otel` and the http, pg, ioredis and pino instrumentations;
 * - `prom-client`: prom-client through fastify-metrics (RED metrics on a `/metrics` endpoint, no traces);
 * - `otel-floor`: NodeSDK exporting one bare server span per request and nothing else, the least any
 *   OpenTelemetry-based instrumentation that exports every request pays (a lower bound, not a choice).
 */
export type Variant = 'baseline' | 'sightline' | 'otel-auto' | 'fastify-otel' | 'prom-client' | 'otel-floor';

export const VARIANTS: readonly Variant[] = [
  'baseline',
  'sightline',
  'otel-auto',
  'fastify-otel',
  'prom-client',
  'otel-floor',
];

/** How a variant is started and how its export is checked. */
export interface VariantSpec {
  /** Name in reports. */
  label: string;
  /** What it runs, one line for the report. */
  description: string;
  /** Module given to `node --import` before the service (it starts the SDK); none for baseline and prom-client. */
  preload?: string;
  /**
   * The benchmark collector's receiver this variant exports to over OTLP/gRPC (bench/collector.yaml): one
   * receiver each, so the collector's own `otelcol_receiver_accepted_*{receiver=...}` counts tell them apart.
   */
  receiver?: string;
  /** Exports spans only, no log records (the floor); default false. */
  spansOnly?: boolean;
  /** Serves Prometheus metrics on `GET /metrics` (scraped once at the end to prove it recorded requests). */
  metricsEndpoint?: boolean;
}

// No harness import here: bench/server.ts loads this module, and the service under test should load nothing extra.
const otel = (file: string) => fileURLToPath(new URL(`../otel/${file}`, import.meta.url));

export const VARIANT_SPECS: Record<Variant, VariantSpec> = {
  baseline: {
    label: 'baseline',
    description: 'no instrumentation: Fastify 5 and pino',
  },
  sightline: {
    label: 'Sightline',
    description:
      '`--import @sightline/node/register`, the `sightlineFastify` plugin and the Sightline logger; traces, metrics and logs over OTLP/gRPC, every SDK default',
    preload: '@sightline/node/register',
    receiver: 'otlp',
  },
  'otel-auto': {
    label: 'OTel auto-instrumentation',
    description:
      "OpenTelemetry `NodeSDK` with `getNodeAutoInstrumentations()` (its defaults, fs off) and OTLP/gRPC exporters for traces, metrics and logs (pino's log sending); bench/otel/auto.mjs",
    preload: otel('auto.mjs'),
    receiver: 'otlp/otel-auto',
  },
  'fastify-otel': {
    label: '@fastify/otel',
    description:
      '`NodeSDK` with `@fastify/otel` (registered on initialisation) and the http, pg, ioredis and pino instrumentations, OTLP/gRPC exporters for traces, metrics and logs; bench/otel/fastify-otel.mjs',
    preload: otel('fastify-otel.mjs'),
    receiver: 'otlp/fastify-otel',
  },
  'prom-client': {
    label: 'prom-client',
    description:
      'prom-client 15 through fastify-metrics with its defaults (default process metrics, a route histogram and summary), scraped on `/metrics`; no traces, no log export',
    metricsEndpoint: true,
  },
  'otel-floor': {
    label: 'OTel SDK floor',
    description:
      '`NodeSDK` with no instrumentation library: one SERVER span per request from the `http.server.request.start` / `response.finish` diagnostics channels, four attributes, no context, no client spans, no logs, exported over OTLP/gRPC; bench/otel/floor.mjs. The lower bound of any OpenTelemetry-JS-based variant',
    preload: otel('floor.mjs'),
    receiver: 'otlp/otel-floor',
    spansOnly: true,
  },
};
