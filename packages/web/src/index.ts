import { type Metric, onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import { metricsRequest, resource, tracesRequest, type WebSpan } from './otlp.js';
import { type RouteSource, routeResolver } from './routes.js';
import { documentLoad, patchFetch, randomId } from './tracing.js';
import { send, type Transport } from './transport.js';
import { VITALS, type VitalName, type VitalSample } from './vitals.js';

export { OTHER_ROUTE, type RouteSource, routeResolver } from './routes.js';
export type { Transport } from './transport.js';
export { type Rating, VITALS, type VitalName, type VitalSample } from './vitals.js';

/** Options of {@link initWeb}. Nothing is collected or sent unless `enabled` is true. */
export interface SightlineWebOptions {
  /** Master switch. @default false */
  enabled?: boolean;
  /** `ingest`: the service's `POST /ops/ingest`; `collector`: a collector's OTLP/HTTP base URL (CORS). @default "ingest" */
  transport?: Transport;
  /** Ingest URL, or the collector base URL (e.g. `http://localhost:4318`). @default "/ops/ingest" */
  endpoint?: string;
  /** Route templates (`/app/rooms/:id`) or a function path -> template; anything else is `other`. @default [] (all `other`) */
  routes?: RouteSource;
  /** Share of page views that report anything (decided once per page). @default 1 */
  sampleRate?: number;
  /** Record a `documentLoad` span and send `traceparent` on fetches `propagateTo` accepts. @default true */
  tracing?: boolean;
  /** Which fetch targets get `traceparent`. @default same origin only */
  propagateTo?: (url: URL) => boolean;
  /** `service.name` of the page. @default "web" */
  serviceName?: string;
  /** `service.version`. @default undefined */
  serviceVersion?: string;
  /** `deployment.environment.name`. @default undefined */
  environment?: string;
  /** Samples and spans kept until the next send; beyond it new ones are dropped. @default 100 */
  maxQueue?: number;
}

/** The handle {@link initWeb} returns. */
export interface SightlineWeb {
  readonly enabled: boolean;
  /** This page's route label. */
  readonly route: string;
  /** This page's trace id when tracing, for correlating by hand. */
  readonly traceId: string | undefined;
  /** Sends what is queued now (it is also sent on page hide). */
  flush(): void;
}

const DISABLED: SightlineWeb = { enabled: false, route: 'other', traceId: undefined, flush() {} };

/**
 * Starts Web Vitals (CLS, LCP, INP, FCP, TTFB) and, optionally, the page trace. Call it once, early.
 * Sends only route templates, ratings, values, timings and the service's own names: no cookies are
 * read or set, and no URL, query, user id or element text leaves the page.
 */
export function initWeb(options: SightlineWebOptions = {}): SightlineWeb {
  const { sampleRate = 1 } = options;
  if (options.enabled !== true || typeof window === 'undefined' || Math.random() >= sampleRate) return DISABLED;
  const transport = options.transport ?? 'ingest';
  const endpoint = options.endpoint ?? '/ops/ingest';
  const maxQueue = options.maxQueue ?? 100;
  const route = routeResolver(options.routes)(location.pathname);
  const res = resource({
    'service.name': options.serviceName ?? 'web',
    ...(options.serviceVersion && { 'service.version': options.serviceVersion }),
    ...(options.environment && { 'deployment.environment.name': options.environment }),
    'telemetry.sdk.name': '@sightline/web',
  });
  const samples: VitalSample[] = [];
  const spans: WebSpan[] = [];
  const originalFetch = window.fetch.bind(window);

  const flush = () => {
    if (samples.length === 0 && spans.length === 0) return;
    const metrics = samples.length > 0 ? metricsRequest(res, samples.splice(0)) : undefined;
    const traces = spans.length > 0 ? tracesRequest(res, spans.splice(0)) : undefined;
    send(transport, endpoint, { metrics, traces }, originalFetch);
  };
  const queued = () => samples.length + spans.length;

  const onVital = (metric: Metric) => {
    if (queued() >= maxQueue) return;
    const name = metric.name as VitalName;
    samples.push({ name, value: metric.value * VITALS[name].scale, rating: metric.rating, route, at: Date.now() });
  };
  for (const subscribe of [onCLS, onFCP, onINP, onLCP, onTTFB]) subscribe(onVital);

  let traceId: string | undefined;
  if (options.tracing ?? true) {
    traceId = randomId(16);
    const pageSpanId = randomId(8);
    const emit = (span: WebSpan) => {
      if (queued() < maxQueue) spans.push(span);
    };
    const target = new URL(endpoint, location.href);
    const sameOrigin = (url: URL) => url.origin === location.origin;
    const accepts = options.propagateTo ?? sameOrigin;
    // Never trace the telemetry's own sends.
    const propagate = (url: URL) => url.href !== target.href && !url.href.startsWith(`${target.href}/`) && accepts(url);
    documentLoad(traceId, pageSpanId, route, emit);
    window.fetch = patchFetch(originalFetch, traceId, pageSpanId, route, propagate, emit);
  }

  // web-vitals reports CLS and INP from its own capture-phase `visibilitychange` listener on window;
  // this bubble-phase one runs after it, so the final values are in the queue when it sends.
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush();
  });
  addEventListener('pagehide', flush);
  return { enabled: true, route, traceId, flush };
}
