import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { localAlertmanagerConfig, startAlertmanager } from './alertmanager.ts';
import { type Collector, repoRoot, startCollector } from './collector.ts';
import { freePort, isListening } from './ports.ts';
import { type PostgresServer, startPostgres } from './postgres.ts';
import { type ManagedProcess, startManaged, tempDir } from './process.ts';
import { type Prometheus, startPrometheus } from './prometheus.ts';
import { type RedisServer, startRedis } from './redis.ts';
import { type Sink, startSink } from './sink.ts';

/** Loopback ports of the stack's public endpoints; each one left out is a free port. */
export interface NativeStackPorts {
  service?: number;
  collectorGrpc?: number;
  collectorHttp?: number;
  collectorHealth?: number;
  collectorMetrics?: number;
  prometheus?: number;
  alertmanager?: number;
  redis?: number;
  postgres?: number;
}

/** The entries of `env` named in `keys` that are set. */
function pick(env: NodeJS.ProcessEnv | undefined, keys: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(keys.flatMap((key) => (env?.[key] === undefined ? [] : [[key, env[key]]])));
}

/** Options for {@link startNativeStack}. */
export interface NativeStackOptions {
  /** Fixed ports (for `npm run stack:native`). @default {} (every port free, as tests need) */
  ports?: NativeStackPorts;
  /** Env of the Divan service; wins over the wiring below. @default {} */
  serviceEnv?: NodeJS.ProcessEnv;
  /** Env of the production collector; wins over the wiring below. @default {} */
  collectorEnv?: NodeJS.ProcessEnv;
  /**
   * Prometheus global scrape and rule-evaluation interval; `undefined` keeps prometheus.yml's.
   * @default undefined
   */
  prometheusInterval?: string;
  /** How long each process may take to become healthy. @default 60000 */
  timeoutMs?: number;
  /** Called once per step, e.g. to print progress. @default no-op */
  onStep?: (step: string) => void;
}

/** A long-running process of the stack with its URL. */
export interface StackProcess {
  readonly url: string;
  readonly process: ManagedProcess;
}

/** The whole Sightline pipeline on loopback: service -> collector -> sink/Prometheus -> Alertmanager. */
export interface NativeStack {
  readonly redis: RedisServer;
  readonly postgres: PostgresServer;
  /** Stands in for Tempo (traces) and Loki (logs): JSON lines under `sink.dir`. */
  readonly sink: Sink;
  readonly prometheus: Prometheus;
  readonly alertmanager: StackProcess & { readonly configFile: string };
  readonly collector: Collector;
  /** The Divan reference service. */
  readonly service: StackProcess & {
    /** `service.name` and `deployment.environment.name` as they appear in metric labels. */
    readonly serviceName: string;
    readonly environment: string;
    /** Bearer token for `/ops/*` (random per start; never printed by the stack). */
    readonly adminToken: string;
  };
  /** Every process's kept output, for a failure message. */
  logs(): string;
  /** Stops everything in reverse start order. Safe to call twice. */
  stop(): Promise<void>;
}

const PROMETHEUS_DIR = join(repoRoot, 'prometheus');
const DEMO_MAIN = join(repoRoot, 'packages/demo/src/main.ts');

async function portOrFree(port: number | undefined): Promise<number> {
  return port ?? (await freePort());
}

/** Rule files of the repo's prometheus.yml resolved to absolute paths (globs expanded by Prometheus). */
function absoluteRuleFiles(ruleFiles: unknown): string[] {
  if (!Array.isArray(ruleFiles)) return [];
  return ruleFiles.map((file) => (isAbsolute(String(file)) ? String(file) : resolve(PROMETHEUS_DIR, String(file))));
}

/** The rule files to load when the repo has no prometheus.yml yet: every YAML under prometheus/rules. */
function defaultRuleFiles(): string[] {
  const dir = join(PROMETHEUS_DIR, 'rules');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(dir, name));
}

interface PrometheusTargets {
  alertmanager: string;
  collectorMetrics: string;
  prometheus: string;
}

/**
 * A temp copy of prometheus/prometheus.yml pointing at loopback: rule files made absolute, the
 * Alertmanager target and the collector's self-metrics scrape rewritten to the real ports, scrape
 * jobs for services that do not run natively (Tempo, Loki, Grafana) dropped.
 */
export function nativePrometheusConfig(targets: PrometheusTargets, interval?: string): string {
  const source = join(PROMETHEUS_DIR, 'prometheus.yml');
  const config = (existsSync(source) ? parse(readFileSync(source, 'utf8')) : {}) as Record<string, unknown>;
  const global = { ...((config.global as Record<string, unknown> | undefined) ?? {}) };
  if (interval !== undefined) {
    global.scrape_interval = interval;
    global.evaluation_interval = interval;
  }
  config.global = global;
  config.rule_files = existsSync(source) ? absoluteRuleFiles(config.rule_files) : defaultRuleFiles();
  config.alerting = { alertmanagers: [{ static_configs: [{ targets: [targets.alertmanager] }] }] };
  const jobs = Array.isArray(config.scrape_configs) ? (config.scrape_configs as Array<Record<string, unknown>>) : [];
  const scrapeConfigs: Array<Record<string, unknown>> = [];
  for (const job of jobs) {
    const name = String(job.job_name ?? '');
    const target = /collector|otel/i.test(name)
      ? targets.collectorMetrics
      : /alertmanager/i.test(name)
        ? targets.alertmanager
        : /prometheus/i.test(name)
          ? targets.prometheus
          : undefined;
    if (target === undefined) continue;
    // Labels, relabelling and intervals stay; only where to scrape changes.
    const { static_configs: staticConfigs, dns_sd_configs: _dns, file_sd_configs: _file, ...rest } = job;
    const labels = Array.isArray(staticConfigs)
      ? (staticConfigs[0] as { labels?: Record<string, string> } | undefined)?.labels
      : undefined;
    scrapeConfigs.push({ ...rest, static_configs: [{ targets: [target], ...(labels && { labels }) }] });
  }
  if (!scrapeConfigs.some((job) => job.job_name === 'otel-collector')) {
    scrapeConfigs.push({ job_name: 'otel-collector', static_configs: [{ targets: [targets.collectorMetrics] }] });
  }
  config.scrape_configs = scrapeConfigs;
  return stringify(config);
}

/**
 * Starts Redis, PostgreSQL, the sink (Tempo and Loki stand-in), Prometheus with the repo's rules
 * and remote-write receiver, Alertmanager, the production collector config and the Divan service
 * exporting OTLP/gRPC to it, each on loopback, each awaited until healthy. On any failure it stops
 * what started and throws with every process's logs.
 */
export async function startNativeStack(options: NativeStackOptions = {}): Promise<NativeStack> {
  const { ports = {}, timeoutMs = 60_000, onStep = () => {} } = options;
  const stoppers: Array<() => Promise<void>> = [];
  const processes: Array<{ logs(): string }> = [];
  const logs = () => processes.map((p) => p.logs()).join('\n');
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const stopOne of [...stoppers].reverse()) await stopOne().catch(() => {});
    })();
    return stopping;
  };

  try {
    onStep('redis');
    const redis = await startRedis({ port: ports.redis });
    stoppers.push(() => redis.stop());
    processes.push(redis);

    onStep('postgresql');
    const postgres = await startPostgres({ port: ports.postgres });
    stoppers.push(() => postgres.stop());
    processes.push(postgres);

    onStep('sink (Tempo and Loki stand-in)');
    const sink = await startSink({ timeoutMs });
    stoppers.push(() => sink.stop());
    processes.push(sink);

    const [promPort, amPort, grpcPort, httpPort, healthPort, metricsPort, servicePort] = [
      await portOrFree(ports.prometheus),
      await portOrFree(ports.alertmanager),
      await portOrFree(ports.collectorGrpc),
      await portOrFree(ports.collectorHttp),
      await portOrFree(ports.collectorHealth),
      await portOrFree(ports.collectorMetrics),
      await portOrFree(ports.service),
    ];

    onStep('alertmanager');
    // Secret files become empty temp files: Slack, email and webhooks fail alone, quietly logged.
    const alertmanager = await startAlertmanager({
      configFile: localAlertmanagerConfig({ dir: tempDir('alertmanager-config') }),
      port: amPort,
      timeoutMs,
    });
    const amProc = alertmanager.process;
    const amUrl = alertmanager.url;
    const amConfig = alertmanager.configFile;
    stoppers.push(() => alertmanager.stop());
    processes.push(alertmanager);

    onStep('prometheus');
    const promConfig = join(tempDir('prometheus-config'), 'prometheus.yml');
    writeFileSync(
      promConfig,
      nativePrometheusConfig(
        {
          alertmanager: `127.0.0.1:${amPort}`,
          collectorMetrics: `127.0.0.1:${metricsPort}`,
          prometheus: `127.0.0.1:${promPort}`,
        },
        options.prometheusInterval,
      ),
    );
    const prometheus = await startPrometheus({ configFile: promConfig, port: promPort, timeoutMs });
    stoppers.push(() => prometheus.stop());
    processes.push(prometheus);

    onStep('collector');
    const collector = await startCollector({
      ports: { grpc: grpcPort, http: httpPort, health: healthPort, metrics: metricsPort },
      env: {
        SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: prometheus.remoteWriteUrl,
        SIGHTLINE_TEMPO_ENDPOINT: sink.otlpGrpcEndpoint,
        SIGHTLINE_TEMPO_INSECURE: 'true',
        SIGHTLINE_LOKI_OTLP_ENDPOINT: sink.otlpHttpUrl,
        ...options.collectorEnv,
      },
      timeoutMs,
    });
    // Its stop() has a grace period, so it flushes to the sink and Prometheus, still up.
    stoppers.push(() => collector.stop());
    processes.push(collector);

    onStep('divan service');
    const serviceName = options.serviceEnv?.OTEL_SERVICE_NAME ?? 'divan-api';
    const environment = options.serviceEnv?.DEPLOYMENT_ENVIRONMENT ?? 'native';
    const adminToken = options.serviceEnv?.OBS_ADMIN_TOKEN ?? randomBytes(24).toString('hex');
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    const serviceProc = await startManaged({
      name: 'divan',
      command: process.execPath,
      args: ['--import', 'tsx', DEMO_MAIN],
      cwd: dirname(DEMO_MAIN),
      env: {
        PORT: String(servicePort),
        HOST: '127.0.0.1',
        DATABASE_URL: postgres.url,
        REDIS_URL: redis.url,
        JWT_SECRET: randomBytes(32).toString('hex'),
        INTENT_SECRET: randomBytes(32).toString('hex'),
        OBS_ADMIN_TOKEN: adminToken,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${collector.otlpGrpcEndpoint}`,
        OTEL_SERVICE_NAME: serviceName,
        // As compose sets it, so the Prometheus job label (divan/divan-api) is the same in both stacks.
        OBS_SERVICE_NAMESPACE: 'divan',
        DEPLOYMENT_ENVIRONMENT: environment,
        // The collector's tail-sampling knobs, as compose passes them: the SDK's info-log sampling
        // keeps the logs of exactly the traces the collector keeps.
        ...pick(options.collectorEnv, ['SIGHTLINE_SAMPLING_PERCENTAGE', 'SIGHTLINE_LATENCY_SLO_MS']),
        ...options.serviceEnv,
      },
      readyUrl: `${serviceUrl}/health/ready`,
      timeoutMs,
      intervalMs: 200,
      stopGraceMs: 15_000,
    });
    stoppers.push(() => serviceProc.stop());
    processes.push(serviceProc);

    return {
      redis,
      postgres,
      sink,
      prometheus,
      alertmanager: { url: amUrl, process: amProc, configFile: amConfig },
      collector,
      service: { url: serviceUrl, process: serviceProc, serviceName, environment, adminToken },
      logs,
      stop,
    };
  } catch (error) {
    const output = logs();
    await stop();
    throw new Error(`SIGHTLINE_STACK_START: ${(error as Error).message}\n${output}`);
  }
}

/** True when nothing listens on `port` of 127.0.0.1, so a fixed DESIGN port can be used. */
export async function isPortFree(port: number): Promise<boolean> {
  return !(await isListening(port));
}
