import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../context.js';

/** The demo page's files: its HTML and script, next to src/. */
export const APP_DIR = fileURLToPath(new URL('../../app/', import.meta.url));
/** Route templates of the page, the only values its `route` label takes (plus `other`). */
export const APP_ROUTES = ['/app', '/app/rooms/:id'] as const;

/** The built @sightline/web script-tag bundle, or undefined when `npm run build -w @sightline/web` has not run. */
function webBundle(): Buffer | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@sightline/web/package.json');
    return readFileSync(join(dirname(pkg), 'dist', 'sightline-web.min.js'));
  } catch {
    return undefined;
  }
}

/**
 * `GET /app` and `/app/rooms/:id`: the Divan demo page, with @sightline/web switched on exactly when
 * the service's `POST /ops/ingest` is (`OBS_WEB_INGEST_ENABLED`). Files are read once at startup.
 */
export function webAppRoutes(deps: Deps): FastifyPluginAsync {
  const sightline = deps.obs.sightline;
  const config = {
    enabled: sightline.enabled && sightline.config.webIngestEnabled,
    transport: 'ingest',
    endpoint: '/ops/ingest',
    routes: APP_ROUTES,
    serviceName: `${sightline.config.serviceName.replace(/-api$/, '')}-web`,
    serviceVersion: sightline.config.serviceVersion,
    environment: sightline.config.environment,
  };
  let html: string;
  let script: Buffer;
  try {
    // `<` escaped so the JSON cannot close the script element it sits in.
    html = readFileSync(join(APP_DIR, 'index.html'), 'utf8').replace(
      '"__SIGHTLINE_WEB_CONFIG__"',
      JSON.stringify(config).replace(/</g, '\\u003c'),
    );
    script = readFileSync(join(APP_DIR, 'app.js'));
  } catch {
    // An image built without the page: the API runs on, /app answers 404.
    deps.obs.logger.warn({ dir: APP_DIR }, 'demo page files missing: /app is not served');
    return async () => {};
  }
  const bundle = webBundle();
  return async (app) => {
    const page = async (_request: unknown, reply: import('fastify').FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    app.get('/app', page);
    app.get('/app/rooms/:id', page);
    app.get('/app/assets/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(script));
    app.get('/app/assets/sightline-web.min.js', async (_request, reply) =>
      bundle === undefined
        ? reply.code(404).send({ error: 'not_found', message: 'run `npm run build -w @sightline/web` first' })
        : reply.type('text/javascript; charset=utf-8').send(bundle),
    );
  };
}
