import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { authenticate } from './auth/service.js';
import type { TokenClaims } from './auth/tokens.js';
import type { Deps } from './context.js';
import { ApiError } from './errors.js';
import type { Bucket, Decision } from './ratelimit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `guarded` pre-handler. */
    user: TokenClaims | null;
  }
}

/** The client address Fastify resolved (trustProxy decides whether X-Forwarded-For counts). */
export const clientIp = (request: FastifyRequest): string => request.ip;

/** The authenticated user; only valid on routes that run `guarded`. */
export function userOf(request: FastifyRequest): TokenClaims {
  if (request.user === null) throw new ApiError(401, 'missing_token', 'authentication required');
  return request.user;
}

/** Answers 429 with `Retry-After` when the decision says so; always sets the limit headers. */
function enforce(bucket: Bucket, decision: Decision, reply: FastifyReply): void {
  reply.header('x-ratelimit-limit', decision.limit);
  reply.header('x-ratelimit-remaining', decision.remaining);
  if (!decision.allowed) {
    reply.header('retry-after', decision.resetS);
    throw new ApiError(429, 'rate_limited', `too many requests in bucket "${bucket}"; retry in ${decision.resetS}s`);
  }
}

/** Pre-handler: counts the request per IP prefix and applies the bucket's limit per IP. */
export function rateLimited(deps: Deps, bucket: Bucket): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const ip = clientIp(request);
    deps.obs.metrics.requestsByIp.inc({ ip_prefix: ip });
    enforce(bucket, await deps.limiter.take(bucket, `ip:${ip}`), reply);
  };
}

/**
 * Pre-handler: a valid access token of a live session, then the bucket's limit per user. The
 * revocation lookup and the limit's counter are issued in the same tick, so node-redis pipelines them
 * into one round trip.
 */
export function guarded(deps: Deps, bucket: Bucket): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const ip = clientIp(request);
    deps.obs.metrics.requestsByIp.inc({ ip_prefix: ip });
    let decision: Promise<Decision> | undefined;
    request.user = await authenticate(deps, request.headers.authorization, ip, (claims) => {
      decision = deps.limiter.take(bucket, `u:${claims.sub}`);
      // Awaited below unless authentication fails first; never an unhandled rejection.
      decision.catch(() => {});
    });
    if (decision === undefined) throw new ApiError(401, 'missing_token', 'authentication required');
    enforce(bucket, await decision, reply);
  };
}
