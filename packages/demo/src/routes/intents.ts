import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../context.js';
import { ApiError } from '../errors.js';
import { guarded, userOf } from '../http.js';
import { parse } from '../validate.js';

const MAX_AGE_S = 300;
const intentBody = z.object({
  action: z.enum(['join_activity', 'share_location', 'transfer_points'], 'expected a known action'),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected 16-64 url-safe characters'),
  ts: z.number().int().positive('expected epoch milliseconds'),
  signature: z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex HMAC-SHA256'),
});

/** The string a client signs: `<user id>.<action>.<nonce>.<ts>`. */
export function intentPayload(userId: string, intent: { action: string; nonce: string; ts: number }): string {
  return `${userId}.${intent.action}.${intent.nonce}.${intent.ts}`;
}

export function signIntent(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Signed intents: HMAC-verified, single-use (nonce remembered in Redis), fresh. */
export function intentRoutes(deps: Deps): FastifyPluginAsync {
  const { metrics } = deps.obs;
  const secret = deps.config.INTENT_SECRET ?? deps.config.JWT_SECRET;
  return async (app) => {
    app.post('/intents', { preHandler: guarded(deps, 'default') }, async (request) => {
      const user = userOf(request).sub;
      const intent = parse(intentBody, request.body, 'body');
      const expected = Buffer.from(signIntent(secret, intentPayload(user, intent)), 'hex');
      const given = Buffer.from(intent.signature, 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        metrics.intentsFailedSig.inc();
        throw new ApiError(401, 'bad_signature', 'intent signature does not verify');
      }
      const fresh = Math.abs(Date.now() - intent.ts) <= MAX_AGE_S * 1000;
      const firstUse =
        fresh && (await deps.redis.set(`intent:nonce:${intent.nonce}`, '1', { NX: true, EX: MAX_AGE_S * 2 })) === 'OK';
      if (!firstUse) {
        metrics.intentsReplay.inc();
        throw new ApiError(409, 'replay', 'intent was already used or is too old');
      }
      metrics.intentsVerified.inc();
      return { status: 'verified', action: intent.action };
    });
  };
}
