import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { authenticate } from './auth/service.js';
import type { TokenClaims } from './auth/tokens.js';
import type { Deps } from './context.js';
import { ApiError } from './errors.js';
import type { Bucket } from './ratelimit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `authenticated` pre-handler. */
    user: TokenClaims | null;
  }
}

/** The client address Fastify resolved (trustProxy decides whether X-Forwarded-For counts). */
export const clientIp = (request: FastifyRequest): string => request.ip;

/** The authenticated user; only valid on routes that run `authenticated`. */
export function userOf(request: FastifyRequest): TokenClaims {
  if (request.user === null) throw new ApiError(401, 'missing_token', 'authentication required');
  return request.user;
}

/** Pre-handler: requires a valid access token of a live session. */
export function authenticated(deps: Deps): preHandlerAsyncHookHandler {
  return async (request) => {
    request.user = await authenticate(deps, request.headers.authorization, clientIp(request));
  };
}

/** Pre-handler: counts the request per IP prefix and applies the bucket's limit (per user, else per IP). */
export function rateLimited(deps: Deps, bucket: Bucket): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const ip = clientIp(request);
    deps.obs.metrics.requestsByIp.inc({ ip_prefix: ip });
    const caller = request.user ? `u:${request.user.sub}` : `ip:${ip}`;
    const decision = await deps.limiter.take(bucket, caller);
    reply.header('x-ratelimit-limit', decision.limit);
    reply.header('x-ratelimit-remaining', decision.remaining);
    if (!decision.allowed) {
      reply.header('retry-after', decision.resetS);
      throw new ApiError(429, 'rate_limited', `too many requests in bucket "${bucket}"; retry in ${decision.resetS}s`);
    }
  };
}
