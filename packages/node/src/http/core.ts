import { randomUUID } from 'node:crypto';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { getRPCMetadata, type RPCMetadata, RPCType } from '@opentelemetry/core';
import { checkAdmin } from '../guard.js';
import { internalsOf } from '../internal.js';
import { requestIdsByTrace } from '../logger.js';
import { ipPrefix, userIdPrefix } from '../prefix.js';
import type { Sightline } from '../types.js';
import { WebIngest } from './ingest.js';

/** The one `http.route` value for requests that matched no route, so raw paths never become labels. */
export const UNMATCHED_ROUTE = 'unmatched';
export const HEALTH_ROUTES = ['/health/live', '/health/ready', '/health/startup'] as const;
export const OPS_ROUTES = ['/ops/trace/test', '/ops/rollover'] as const;
export const REQUEST_ID_HEADER = 'x-request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keeps an incoming request id when it is a UUID (so it cannot smuggle text into logs), else makes a v4 one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && UUID.test(value) ? value.toLowerCase() : randomUUID();
}

/** Per-request state shared by the adapters. */
export interface RequestState {
  requestId: string;
  startedAt: number;
  traceId: string | undefined;
  spanId: string | undefined;
  rpc: RPCMetadata | undefined;
  route: string;
}

export interface Finish {
  method: string;
  status: number;
  remoteAddress?: string | undefined;
  userId?: string | number | undefined;
}

export interface Reply {
  status: number;
  body: unknown;
}

/** Framework-independent request handling behind the Fastify plugin and the Express middleware. */
export class HttpCore {
  /** `POST /ops/ingest`, present only when `webIngestEnabled` (otherwise the route is not served: 404). */
  readonly ingest: WebIngest | undefined;

  constructor(readonly sightline: Sightline) {
    this.ingest =
      sightline.enabled && sightline.config.webIngestEnabled
        ? new WebIngest(sightline.config, sightline.meter)
        : undefined;
  }

  /** One beacon from `remoteAddress`, rate-limited by its address prefix. Never a 5xx. */
  ingestBeacon(body: unknown, remoteAddress: string | undefined): Reply {
    if (this.ingest === undefined) return { status: 404, body: { error: 'not_found', message: 'web ingest is off' } };
    try {
      return this.ingest.handle(body, ipPrefix(remoteAddress));
    } catch (error) {
      // A bug here must not turn a page's beacon into a 5xx; the payload was already validated.
      this.sightline.logger.warn({ err: error }, 'web ingest dropped a beacon');
      return { status: 202, body: { dropped: true } };
    }
  }

  /** Call first thing for each request, inside the HTTP server span's context. */
  begin(incomingRequestId: string | string[] | undefined): RequestState {
    internalsOf(this.sightline).load.hit();
    const requestId = requestIdFrom(incomingRequestId);
    const active = context.active();
    const spanContext = trace.getSpanContext(active);
    const valid = spanContext !== undefined && isSpanContextValid(spanContext);
    const rpc = getRPCMetadata(active);
    if (valid) requestIdsByTrace.set(spanContext.traceId, requestId);
    return {
      requestId,
      startedAt: performance.now(),
      traceId: valid ? spanContext.traceId : undefined,
      spanId: valid ? spanContext.spanId : undefined,
      rpc: rpc?.type === RPCType.HTTP ? rpc : undefined,
      route: UNMATCHED_ROUTE,
    };
  }

  /** Sets the route template on the state and on the HTTP span and metric (`http.route`). */
  setRoute(state: RequestState, template: string | undefined): void {
    state.route = template === undefined || template === '' ? UNMATCHED_ROUTE : template;
    if (state.rpc !== undefined) state.rpc.route = state.route;
  }

  /** `X-Request-Id` and, when a span is recording, `traceparent`. */
  responseHeaders(state: RequestState): Record<string, string> {
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: state.requestId };
    if (state.traceId !== undefined && state.spanId !== undefined) {
      headers.traceparent = `00-${state.traceId}-${state.spanId}-01`;
    }
    return headers;
  }

  /** Logs the request (route template only) and forgets its id. Health checks log at debug. */
  finish(state: RequestState, done: Finish): void {
    if (state.traceId !== undefined) requestIdsByTrace.delete(state.traceId);
    const latencyMs = Math.round((performance.now() - state.startedAt) * 1000) / 1000;
    const fields: Record<string, unknown> = {
      request_id: state.requestId,
      trace_id: state.traceId,
      span_id: state.spanId,
      method: done.method,
      route: state.route,
      status: done.status,
      latency_ms: latencyMs,
    };
    if (done.remoteAddress !== undefined) fields.ip = ipPrefix(done.remoteAddress);
    if (done.userId !== undefined) fields.user_id = userIdPrefix(done.userId);
    const logger = this.sightline.logger;
    if (done.status >= 500) logger.error(fields, 'request completed');
    else if ((HEALTH_ROUTES as readonly string[]).includes(state.route)) logger.debug(fields, 'request completed');
    else if (done.status >= 400) logger.warn(fields, 'request completed');
    else logger.info(fields, 'request completed');
  }

  /** Detailed health goes to loopback callers, admin-token holders, or everyone in public dev mode. */
  private detailedAllowed(remoteAddress: string | undefined, authorization: string | undefined): boolean {
    const loopback = remoteAddress === '127.0.0.1' || remoteAddress === '::1' || remoteAddress === '::ffff:127.0.0.1';
    if (loopback) return true;
    const { adminToken } = internalsOf(this.sightline);
    return checkAdmin(authorization, adminToken, this.sightline.config.metricsPublic).allowed;
  }

  async health(
    route: (typeof HEALTH_ROUTES)[number],
    remoteAddress: string | undefined,
    authorization: string | undefined,
  ): Promise<Reply> {
    if (route === '/health/live') return { status: 200, body: { status: 'ok' } };
    const report = route === '/health/ready' ? await this.sightline.health.ready() : this.sightline.health.startup();
    const status = report.status === 'ok' ? 200 : 503;
    const body = this.detailedAllowed(remoteAddress, authorization) ? report : { status: report.status };
    return { status, body };
  }

  async ops(route: (typeof OPS_ROUTES)[number], authorization: string | undefined): Promise<Reply> {
    const { adminToken } = internalsOf(this.sightline);
    const guard = checkAdmin(authorization, adminToken, this.sightline.config.metricsPublic);
    if (!guard.allowed)
      return { status: guard.status, body: { error: guard.status === 401 ? 'unauthorized' : 'forbidden' } };
    if (route === '/ops/trace/test') return { status: 200, body: this.sightline.ops.traceTest() };
    try {
      const ran = await this.sightline.ops.rollover();
      return ran ? { status: 200, body: { status: 'ok' } } : { status: 501, body: { error: 'no_rollover_hook' } };
    } catch (error) {
      this.sightline.logger.error({ err: error }, 'ops rollover failed');
      return { status: 500, body: { error: 'rollover_failed' } };
    }
  }
}
