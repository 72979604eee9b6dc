// Entry point: observability first, then the service, loaded after init() so instrumentations see
// pg, redis and http load. `npm start` preloads src/preload.ts, which calls the same init() and installs
// the ESM hook; the init() below then returns the instance the preload created.
import { init } from '@sightline/node';
import { DIVAN_CATALOGS } from './metrics/index.js';

const sightline = init({ catalogs: DIVAN_CATALOGS });
const { loadConfig } = await import('./config.js');
const { buildApp } = await import('./app.js');

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  // The code as a field and the rest as `detail`: "…_JWT_SECRET: expected …" would read as a
  // `secret: value` pair to the PII rules every log line passes through, and be redacted.
  const { code, message } = error as { code?: string; message: string };
  const detail = code !== undefined && message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
  sightline.logger.fatal({ code, detail }, 'invalid configuration');
  await sightline.shutdown();
  process.exit(78); // EX_CONFIG
}
const divan = await buildApp(config, { sightline });
// Uncaught exceptions are counted (divan.unhandled.exceptions) and logged by the SDK's monitor;
// errors inside requests by the app's error handler.
const url = await divan.listen();
sightline.logger.info({ url, port: config.PORT }, 'divan api listening');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sightline.logger.info({ signal }, 'shutting down');
    void divan
      .close()
      .then(() => sightline.shutdown())
      .finally(() => process.exit(0));
  });
}
