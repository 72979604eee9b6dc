import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { getRPCMetadata, type RPCMetadata, RPCType } from '@opentelemetry/core';
import { type AdminGuard, adminGuardOf } from '../guard.js';
import type { LoadMeter } from '../load.js';
import { ipPrefix, userIdPrefix } from '../prefix.js';
import { REQUEST_ID_HEADER, requestIdFrom, requestIdOf } from '../request-id.js';
import type { Sightline } from '../types.js';
import { WebIngest } from './ingest.js';

/** The one `http.route` value for requests that matched no route, so raw paths never become labels. */
export const UNMATCHED_ROUTE = 'unmatched';
export const HEALTH_ROUTES = ['/health/live', '/health/ready', '/health/startup'] as const;
export const OPS_ROUTES = ['/ops/trace/test', '/ops/rollover'] as const;

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
  private readonly load: LoadMeter;
  private admin: AdminGuard | undefined;

  constructor(readonly sightline: Sightline) {
    this.load = sightline.load;
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

  /**
   * Call first thing for each request, inside the HTTP server span's context. The request id is the one
   * the HTTP instrumentation put on that context (request-id.ts), so logs and headers agree; without the
   * instrumentation it is read from the header here.
   */
  begin(incomingRequestId: string | string[] | undefined): RequestState {
    this.load.hit();
    const active = context.active();
    const requestId = requestIdOf(active) ?? requestIdFrom(incomingRequestId);
    const spanContext = trace.getSpanContext(active);
    const valid = spanContext !== undefined && isSpanContextValid(spanContext);
    const rpc = getRPCMetadata(active);
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

  /** Logs the request (route template only). Health checks log at debug. */
  finish(state: RequestState, done: Finish): void {
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
    return this.adminGuard()(authorization).allowed;
  }

  /** The instance's admin check, looked up once (the token itself never leaves init()). */
  private adminGuard(): AdminGuard {
    this.admin ??= adminGuardOf(this.sightline);
    return this.admin;
  }

  async health(
    route: (typeof HEALTH_ROUTES)[number],
    remoteAddress: string | undefined,
    authorization: string | undefined,
  ): Promise<Reply> {
    if (route === '/health/live') return { status: 200, body: { status: 'ok' } };
    const report = await (route === '/health/ready' ? this.sightline.health.ready() : this.sightline.health.startup());
    const status = report.status === 'ok' ? 200 : 503;
    const body = this.detailedAllowed(remoteAddress, authorization) ? report : { status: report.status };
    return { status, body };
  }

  async ops(route: (typeof OPS_ROUTES)[number], authorization: string | undefined): Promise<Reply> {
    const guard = this.adminGuard()(authorization);
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
