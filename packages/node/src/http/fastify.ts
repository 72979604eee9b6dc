import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Sightline } from '../types.js';
import { HEALTH_ROUTES, HttpCore, OPS_ROUTES, type Reply, type RequestState } from './core.js';
import { INGEST_MAX_BODY_BYTES, INGEST_ROUTE } from './ingest.js';

/** Options of {@link sightlineFastify}. */
export interface SightlineFastifyOptions {
  /** The object `init()` returned. */
  sightline: Sightline;
  /** Register `/health/*` and `/ops/*`. @default true */
  routes?: boolean;
  /** Reads the user id of a request for the request log; only a prefix is logged. @default undefined */
  userId?: (request: FastifyRequest) => string | number | undefined;
}

const send = (reply: FastifyReply, result: Reply) => reply.code(result.status).send(result.body);

const plugin: FastifyPluginCallback<SightlineFastifyOptions> = (app, options, done) => {
  const { sightline, routes = true, userId } = options;
  const core = new HttpCore(sightline);
  const states = new WeakMap<FastifyRequest, RequestState>();

  if (sightline.enabled) {
    // The Fastify instrumentation wraps addHook so every hook becomes a span. These hooks are the
    // observability itself, not application middleware: register them through the unwrapped addHook
    // so each request does not pay for two extra spans.
    const addHook = ((app.addHook as { __original?: typeof app.addHook }).__original ?? app.addHook).bind(app);
    addHook('onRequest', (request, reply, next) => {
      const state = core.begin(request.headers['x-request-id']);
      core.setRoute(state, request.routeOptions.url);
      states.set(request, state);
      reply.headers(core.responseHeaders(state));
      next();
    });
    addHook('onResponse', (request, reply, next) => {
      const state = states.get(request);
      if (state !== undefined) {
        core.finish(state, {
          method: request.method,
          status: reply.statusCode,
          remoteAddress: request.socket.remoteAddress,
          userId: userId?.(request),
        });
      }
      next();
    });
  }

  if (routes) {
    for (const route of HEALTH_ROUTES) {
      app.get(route, async (request, reply) =>
        send(reply, await core.health(route, request.socket.remoteAddress, request.headers.authorization)),
      );
    }
    for (const route of OPS_ROUTES) {
      app.post(route, async (request, reply) => send(reply, await core.ops(route, request.headers.authorization)));
    }
    // Only when enabled: otherwise the app's 404 answers. Fastify answers an oversized body 413 and
    // malformed JSON 400; a beacon sent as a string arrives as text/plain and is parsed by the ingest.
    if (core.ingest !== undefined) {
      app.post(INGEST_ROUTE, { bodyLimit: INGEST_MAX_BODY_BYTES }, async (request, reply) =>
        send(reply, core.ingestBeacon(request.body, request.ip)),
      );
    }
  }
  done();
};

/**
 * Fastify 5 plugin: request ids, request logs, `X-Request-Id` and `traceparent` headers, route templates
 * on spans and metrics (`unmatched` for 404s), `/health/*` and `/ops/*`.
 * `app.register(sightlineFastify, { sightline })`
 */
export const sightlineFastify = fp(plugin, { fastify: '5.x', name: '@sightline/node' });
