// `npm run stack:native`: the whole Sightline pipeline on loopback without Docker, on the DESIGN
// ports where they are free, until Ctrl-C. The sink's JSON-lines files stand in for Tempo and Loki.
import { join } from 'node:path';
import { isPortFree, type NativeStackPorts, startNativeStack } from '@sightline/harness';

/** docs/CONTRACT.md "Ports". */
const DESIGN_PORTS: Required<Omit<NativeStackPorts, 'redis' | 'postgres'>> & { redis: number; postgres: number } = {
  service: 8000,
  collectorGrpc: 4317,
  collectorHttp: 4318,
  collectorHealth: 13133,
  collectorMetrics: 8888,
  prometheus: 9090,
  alertmanager: 9093,
  redis: 6379,
  postgres: 5432,
};

const ports: NativeStackPorts = {};
const fallbacks: string[] = [];
for (const [key, port] of Object.entries(DESIGN_PORTS) as Array<[keyof NativeStackPorts, number]>) {
  if (await isPortFree(port)) ports[key] = port;
  else fallbacks.push(`${key} (${port} is taken)`);
}
if (fallbacks.length > 0) console.log(`Using free ports instead of the DESIGN ports for: ${fallbacks.join(', ')}`);

const started = Date.now();
const stack = await startNativeStack({
  ports,
  // Short metric interval so dashboards fill quickly; set OTEL_METRIC_EXPORT_INTERVAL to override.
  serviceEnv: {
    OTEL_METRIC_EXPORT_INTERVAL: process.env.OTEL_METRIC_EXPORT_INTERVAL ?? '5000',
    // Your own token makes /ops/* usable; without one the stack picks a random one it never prints.
    ...(process.env.OBS_ADMIN_TOKEN ? { OBS_ADMIN_TOKEN: process.env.OBS_ADMIN_TOKEN } : {}),
  },
  onStep: (step) => console.log(`starting ${step} ...`),
}).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});

const rows: Array<[string, string]> = [
  ['Divan service', stack.service.url],
  ['  readiness', `${stack.service.url}/health/ready`],
  ['Collector OTLP/gRPC', stack.collector.otlpGrpcEndpoint],
  ['Collector OTLP/HTTP', stack.collector.otlpHttpUrl],
  ['Collector health', stack.collector.healthUrl],
  ['Collector metrics', stack.collector.metricsUrl],
  ['Prometheus', stack.prometheus.url],
  ['  config (temp copy)', stack.prometheus.configFile],
  ['Alertmanager', stack.alertmanager.url],
  ['Redis', stack.redis.url],
  ['PostgreSQL', stack.postgres.url],
  ['Traces (Tempo stand-in)', join(stack.sink.dir, 'traces.jsonl')],
  ['Logs (Loki stand-in)', join(stack.sink.dir, 'logs.jsonl')],
];
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`\nSightline native stack is up in ${((Date.now() - started) / 1000).toFixed(1)} s:\n`);
for (const [name, where] of rows) console.log(`  ${name.padEnd(width)}  ${where}`);
console.log(
  `\n  service=${stack.service.serviceName} env=${stack.service.environment}; ` +
    (process.env.OBS_ADMIN_TOKEN
      ? '/ops/* takes the OBS_ADMIN_TOKEN you set.'
      : '/ops/* needs a token: set OBS_ADMIN_TOKEN (16+ chars) before starting; this run uses a random one.') +
    '\nPress Ctrl-C to stop.',
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping ...');
    void stack.stop().then(() => {
      console.log('stopped');
      process.exit(0);
    });
  });
}
// A process that dies on its own takes the stack down, with its logs, instead of leaving half of it.
for (const proc of [stack.service.process, stack.collector.process, stack.prometheus.process]) {
  void proc.exited().then(() => {
    if (stopping) return;
    stopping = true;
    console.error(`${proc.name} exited unexpectedly:\n${proc.logs()}`);
    void stack.stop().then(() => process.exit(1));
  });
}
