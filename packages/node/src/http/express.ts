import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Sightline } from '../types.js';
import { HEALTH_ROUTES, HttpCore, OPS_ROUTES, type Reply } from './core.js';
import { INGEST_MAX_BODY_BYTES, INGEST_ROUTE } from './ingest.js';

/** The parts of an Express request the middleware reads. */
interface ExpressLikeRequest extends IncomingMessage {
  path?: string;
  baseUrl?: string;
  route?: { path?: unknown };
  /** Set when a body parser (express.json()) ran before the middleware. */
  body?: unknown;
}

/** Options of {@link sightlineExpress}. */
export interface SightlineExpressOptions {
  /** Serve `/health/*` and `/ops/*`. @default true */
  routes?: boolean;
  /** Reads the user id of a request for the request log; only a prefix is logged. @default undefined */
  userId?: (request: IncomingMessage) => string | number | undefined;
}

export type ExpressMiddleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

function sendJson(response: ServerResponse, reply: Reply): void {
  const body = JSON.stringify(reply.body);
  response.statusCode = reply.status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(body);
}

/**
 * The request body as text, at most `limit` bytes: a longer body is answered 413 without reading the
 * rest (the connection is closed), so a large upload costs nothing.
 */
function readBody(request: IncomingMessage, limit: number): Promise<{ text: string } | Reply> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit)
    return Promise.resolve({ status: 413, body: { error: 'too_large', message: `body over ${limit} bytes` } });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.pause();
        resolve({ status: 413, body: { error: 'too_large', message: `body over ${limit} bytes` } });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8') }));
    request.on('error', () =>
      resolve({ status: 400, body: { error: 'bad_request', message: 'body could not be read' } }),
    );
  });
}

/** The route template Express matched, e.g. `/users/:id` under its router's mount path. */
function matchedRoute(request: ExpressLikeRequest): string | undefined {
  const path = request.route?.path;
  if (typeof path !== 'string') return undefined;
  return `${request.baseUrl ?? ''}${path}` || '/';
}

/**
 * Express middleware (mount it first): request ids, request logs, `X-Request-Id` and `traceparent`
 * headers, route templates (`unmatched` when no route matched), and `/health/*` and `/ops/*`.
 * `app.use(sightlineExpress(sightline))`
 */
export function sightlineExpress(sightline: Sightline, options: SightlineExpressOptions = {}): ExpressMiddleware {
  const { routes = true, userId } = options;
  const core = new HttpCore(sightline);
  const healthRoutes: readonly string[] = HEALTH_ROUTES;
  const opsRoutes: readonly string[] = OPS_ROUTES;

  return (request: ExpressLikeRequest, response, next) => {
    const path = request.path ?? (request.url ?? '/').split('?')[0] ?? '/';
    const ingestRoute = routes && core.ingest !== undefined && request.method === 'POST' && path === INGEST_ROUTE;
    const ownRoute =
      ingestRoute ||
      (routes &&
        ((request.method === 'GET' && healthRoutes.includes(path)) ||
          (request.method === 'POST' && opsRoutes.includes(path))));

    if (sightline.enabled) {
      const state = core.begin(request.headers['x-request-id']);
      for (const [name, value] of Object.entries(core.responseHeaders(state))) response.setHeader(name, value);
      if (ownRoute) core.setRoute(state, path);
      // The route is known only after Express routed the request; settle it before the headers go out,
      // which is before the HTTP instrumentation reads it at 'finish'.
      const writeHead = response.writeHead;
      response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        if (!ownRoute) core.setRoute(state, matchedRoute(request));
        return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as typeof response.writeHead;
      response.once('finish', () =>
        core.finish(state, {
          method: request.method ?? 'GET',
          status: response.statusCode,
          remoteAddress: request.socket.remoteAddress,
          userId: userId?.(request),
        }),
      );
    }

    if (!ownRoute) {
      next();
      return;
    }
    if (ingestRoute) {
      const parsed = request.body;
      const body =
        parsed !== undefined && parsed !== null && typeof parsed === 'object' && !Buffer.isBuffer(parsed)
          ? Promise.resolve({ text: undefined, value: parsed })
          : readBody(request, INGEST_MAX_BODY_BYTES).then((r) => ('text' in r ? { text: r.text, value: r.text } : r));
      body.then((r) => {
        if ('status' in r) {
          response.setHeader('connection', 'close');
          sendJson(response, r);
        } else sendJson(response, core.ingestBeacon(r.value, request.socket.remoteAddress));
      }, next);
      return;
    }
    const authorization = request.headers.authorization;
    const work = healthRoutes.includes(path)
      ? core.health(path as (typeof HEALTH_ROUTES)[number], request.socket.remoteAddress, authorization)
      : core.ops(path as (typeof OPS_ROUTES)[number], authorization);
    work.then((reply) => sendJson(response, reply), next);
  };
}
