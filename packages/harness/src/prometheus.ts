import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { type ManagedProcess, startManaged, tempDir } from './process.ts';
import { promToolBinary } from './prom-tools.ts';

/** Options for {@link startPrometheus}. */
export interface PrometheusOptions {
  /**
   * A complete prometheus.yml to run. When absent the harness writes one from `ruleFiles`,
   * `scrapeTargets`, `alertmanagerUrl` and the intervals below.
   */
  configFile?: string;
  /** Rule files for the generated config (absolute paths). @default [] */
  ruleFiles?: string[];
  /** `host:port` targets scraped under `job` names, for the generated config. @default {} */
  scrapeTargets?: Record<string, string[]>;
  /** Alertmanager base URL (`http://127.0.0.1:<port>`) for the generated config. */
  alertmanagerUrl?: string;
  /** Rule evaluation interval of the generated config. @default '1s' */
  evaluationInterval?: string;
  /** Scrape interval of the generated config. @default '1s' */
  scrapeInterval?: string;
  /** Extra command-line flags. @default [] */
  extraArgs?: string[];
  /** Binary. @default $SIGHTLINE_PROMETHEUS_BIN or the cached build of scripts/build-prom-tools.sh */
  command?: string;
  /** Loopback port to listen on. @default a free port */
  port?: number;
  /** TSDB directory; pass the same one to a restarted Prometheus to keep its data. @default a temp dir */
  dataDir?: string;
  /** @default 'prometheus' */
  name?: string;
  /** @default 30000 */
  timeoutMs?: number;
}

/** One sample of an instant vector. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A real Prometheus (the version compose ships) on loopback, with the remote-write receiver on. */
export interface Prometheus {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Where the collector's prometheusremotewrite exporter sends: `<url>/api/v1/write`. */
  readonly remoteWriteUrl: string;
  readonly configFile: string;
  readonly process: ManagedProcess;
  /** Runs an instant query; throws with Prometheus's error text when the query is invalid. */
  query(expr: string, time?: Date): Promise<PromSample[]>;
  /** Sums an instant query's values (0 when empty). */
  queryScalar(expr: string): Promise<number>;
  /** `/api/v1/series` for a selector. */
  series(match: string): Promise<Array<Record<string, string>>>;
  /** `/api/v1/label/<name>/values`. */
  labelValues(name: string): Promise<string[]>;
  /** Any GET on the HTTP API (`/api/v1/rules`, `/api/v1/alerts`, ...), returning `data`. */
  api<T = unknown>(path: string): Promise<T>;
  /** Asks Prometheus to re-read its config and rules (`/-/reload`). */
  reload(): Promise<void>;
  stop(): Promise<void>;
  logs(): string;
}

function generatedConfig(options: PrometheusOptions): string {
  const {
    ruleFiles = [],
    scrapeTargets = {},
    alertmanagerUrl,
    evaluationInterval = '1s',
    scrapeInterval = '1s',
  } = options;
  const lines = ['global:', `  scrape_interval: ${scrapeInterval}`, `  evaluation_interval: ${evaluationInterval}`];
  if (ruleFiles.length > 0) lines.push('rule_files:', ...ruleFiles.map((file) => `  - ${JSON.stringify(file)}`));
  if (alertmanagerUrl !== undefined) {
    const target = new URL(alertmanagerUrl);
    lines.push('alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: ["${target.host}"]`);
  }
  const jobs = Object.entries(scrapeTargets);
  if (jobs.length > 0) {
    lines.push('scrape_configs:');
    for (const [job, targets] of jobs) {
      lines.push(
        `  - job_name: ${JSON.stringify(job)}`,
        '    static_configs:',
        `      - targets: ${JSON.stringify(targets)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<Prometheus> {
  const { extraArgs = [], name = 'prometheus', timeoutMs = 30_000 } = options;
  const port = options.port ?? (await freePort());
  const dir = tempDir('prometheus');
  const configFile = options.configFile ?? join(dir, 'prometheus.yml');
  if (options.configFile === undefined) writeFileSync(configFile, generatedConfig(options));
  const url = `http://127.0.0.1:${port}`;
  const proc = await startManaged({
    name,
    command: options.command ?? promToolBinary('prometheus'),
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${options.dataDir ?? join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--web.enable-lifecycle',
      '--enable-feature=exemplar-storage',
      ...extraArgs,
    ],
    readyUrl: `${url}/-/ready`,
    timeoutMs,
  });

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  const query = async (expr: string, time?: Date) => {
    const params = new URLSearchParams({ query: expr });
    if (time !== undefined) params.set('time', String(time.getTime() / 1000));
    const data = await api<{ resultType: string; result: PromSample[] }>(`/api/v1/query?${params}`);
    return data.result;
  };
  return {
    url,
    remoteWriteUrl: `${url}/api/v1/write`,
    configFile,
    process: proc,
    query,
    queryScalar: async (expr) => (await query(expr)).reduce((sum, sample) => sum + Number(sample.value[1]), 0),
    series: (match) => api(`/api/v1/series?${new URLSearchParams({ 'match[]': match })}`),
    labelValues: (label) => api(`/api/v1/label/${encodeURIComponent(label)}/values`),
    api,
    reload: async () => {
      const response = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!response.ok) throw new Error(`prometheus reload: ${response.status} ${await response.text()}`);
    },
    stop: () => proc.stop(),
    logs: () => proc.logs(),
  };
}
