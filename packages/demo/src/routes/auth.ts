import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AuthService } from '../auth/service.js';
import type { Deps } from '../context.js';
import { clientIp, guarded, rateLimited, userOf } from '../http.js';
import { parse } from '../validate.js';

const credentials = z.object({
  username: z.string().regex(/^[a-z0-9_.]{3,32}$/, 'expected 3-32 chars of a-z, 0-9, _ or .'),
  password: z.string().min(10, 'expected at least 10 characters').max(256, 'expected at most 256 characters'),
});
const registration = credentials.extend({
  email: z.email('expected an email address').max(254, 'expected at most 254 characters').optional(),
});
const refreshBody = z.object({
  refresh_token: z.string().min(1, 'expected a refresh token').max(4096, 'expected at most 4096 characters'),
});

export function authRoutes(deps: Deps): FastifyPluginAsync {
  const auth = new AuthService(deps);
  const limit = rateLimited(deps, 'auth');
  return async (app) => {
    app.post('/auth/register', { preHandler: limit }, async (request, reply) => {
      const user = await auth.register(parse(registration, request.body, 'body'));
      return reply.code(201).send(user);
    });
    app.post('/auth/login', { preHandler: limit }, async (request) =>
      auth.login(parse(credentials, request.body, 'body'), clientIp(request)),
    );
    app.post('/auth/refresh', { preHandler: limit }, async (request) =>
      auth.refresh(parse(refreshBody, request.body, 'body').refresh_token, clientIp(request)),
    );
    app.post('/auth/logout', { preHandler: guarded(deps, 'auth') }, async (request, reply) => {
      await auth.logout(userOf(request));
      return reply.code(204).send();
    });
    app.get('/me', { preHandler: guarded(deps, 'default') }, async (request) => {
      const { rows } = await deps.pool.query<{ id: string; username: string }>(
        'SELECT id, username FROM users WHERE id = $1',
        [userOf(request).sub],
      );
      return rows[0] ?? {};
    });
  };
}
