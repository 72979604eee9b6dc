// Entry point: observability first (so instrumentations patch pg, redis, http before they load),
// then the service. `tsx src/main.ts`.
import { init } from '@sightline/node';

const sightline = init();
const { loadConfig } = await import('./config.js');
const { buildApp } = await import('./app.js');

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  sightline.logger.fatal({ code: (error as { code?: string }).code }, (error as Error).message);
  await sightline.shutdown();
  process.exit(78); // EX_CONFIG
}
const divan = await buildApp(config, { sightline });
const { metrics } = divan.deps.obs;
// Last-resort hooks: count what no handler caught, log it, and keep the documented crash semantics.
process.on('unhandledRejection', (reason) => {
  metrics.unhandledExceptions.inc({ type: reason instanceof Error ? reason.name : typeof reason });
  sightline.logger.error({ err: reason }, 'unhandled rejection');
});
process.on('uncaughtExceptionMonitor', (error) => {
  metrics.unhandledExceptions.inc({ type: error.name });
  sightline.logger.fatal({ err: error }, 'uncaught exception');
});
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
