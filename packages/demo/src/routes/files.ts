import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../context.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { rateLimited } from '../http.js';

/** Public, read-only files. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

// `..` segments, backslashes, NUL and absolute paths: the shapes of a directory-traversal attempt.
const TRAVERSAL = /(^|[/\\])\.\.([/\\]|$)|\\|\0|^\//;
const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}(\/[a-z0-9][a-z0-9_.-]{0,63}){0,3}$/i;

/** `GET /files/*`: serves public files; a traversal attempt is refused and counted as a security event. */
export function fileRoutes(deps: Deps): FastifyPluginAsync {
  const { metrics, logger } = deps.obs;
  return async (app) => {
    app.get('/files/*', { preHandler: rateLimited(deps, 'default') }, async (request, reply) => {
      const wanted = (request.params as { '*': string })['*'];
      const target = resolve(PUBLIC_DIR, wanted);
      if (TRAVERSAL.test(wanted) || !target.startsWith(PUBLIC_DIR.endsWith(sep) ? PUBLIC_DIR : PUBLIC_DIR + sep)) {
        metrics.securityEvents.inc({ type: 'directory_traversal' });
        metrics.blockedRequests.inc({ reason: 'security' });
        // The path itself is attacker-controlled: it is not logged.
        logger.warn({ route: '/files/*', security_event: 'directory_traversal' }, 'directory traversal refused');
        throw new ApiError(400, 'invalid_path', 'path must stay inside the public directory');
      }
      if (!NAME.test(wanted)) throw badRequest('invalid_path', 'expected a file name of letters, digits, _ . -');
      try {
        const content = await readFile(target);
        return reply.type('text/plain; charset=utf-8').send(content);
      } catch {
        throw notFound('file');
      }
    });
  };
}
