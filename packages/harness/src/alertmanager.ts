import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from './collector.ts';
import { freePort } from './ports.ts';
import { type ManagedProcess, startManaged, tempDir } from './process.ts';
import { promToolBinary } from './prom-tools.ts';

/** Where prometheus/alertmanager.yml expects its secret files (the compose mount). */
export const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager/secrets/';

/** The repository's Alertmanager config. */
export const alertmanagerConfigPath = join(repoRoot, 'prometheus', 'alertmanager.yml');

/** Options for {@link localAlertmanagerConfig}. */
export interface LocalAlertmanagerConfigOptions {
  /** Directory that receives the rewritten config and the secret files. */
  dir: string;
  /** The config to rewrite. @default prometheus/alertmanager.yml (a no-op receiver when absent) */
  source?: string;
  /**
   * Content of each secret file, by its name under /etc/alertmanager/secrets/ (`slack-critical.url`).
   * A file the config names but this map lacks is created empty, so its integration fails alone.
   * @default {}
   */
  secrets?: Record<string, string>;
  /**
   * New URL for each webhook of a receiver, written inline in place of its `url_file`; called with
   * the receiver's name and its current URL (the `url_file`'s content from `secrets`, or `url`).
   * `undefined` keeps the webhook as configured. @default keeps all
   */
  webhookUrl?: (receiver: string, url: string) => string | undefined;
  /** `host:port` replacing `global.smtp_smarthost`. @default unchanged */
  smtpSmarthost?: string;
  /** `group_wait` and `group_interval` of every route (tests want seconds, not minutes). @default unchanged */
  groupWait?: string;
  groupInterval?: string;
}

type Node = Record<string, unknown>;

/** Every object in `node`, depth first. */
function* objects(node: unknown): Generator<Node> {
  if (Array.isArray(node)) {
    for (const item of node) yield* objects(item);
  } else if (node !== null && typeof node === 'object') {
    yield node as Node;
    for (const value of Object.values(node)) yield* objects(value);
  }
}

function* routes(route: Node | undefined): Generator<Node> {
  if (route === undefined) return;
  yield route;
  for (const child of (route.routes as Node[] | undefined) ?? []) yield* routes(child);
}

/**
 * Writes a copy of the Alertmanager config that runs outside compose: every file under
 * /etc/alertmanager/secrets/ (Slack and webhook URLs, tokens, the SMTP password) becomes a file in
 * `dir` (content from `secrets`), and webhook URLs, the SMTP host and route timings change as
 * asked. Returns the copy's path.
 */
export function localAlertmanagerConfig(options: LocalAlertmanagerConfigOptions): string {
  const { dir, source = alertmanagerConfigPath, secrets = {} } = options;
  const file = join(dir, 'alertmanager.yml');
  if (!existsSync(source)) {
    writeFileSync(file, stringify({ route: { receiver: 'null' }, receivers: [{ name: 'null' }] }));
    return file;
  }
  // A JSON round trip also unshares what aliases made one object, so each copy can change alone.
  const config = JSON.parse(JSON.stringify(parse(readFileSync(source, 'utf8'), { maxAliasCount: -1 }))) as Node;
  const receivers = (config.receivers as Node[] | undefined) ?? [];
  if (options.webhookUrl !== undefined) {
    for (const receiver of receivers) {
      for (const webhook of (receiver.webhook_configs as Node[] | undefined) ?? []) {
        const file = typeof webhook.url_file === 'string' ? webhook.url_file : undefined;
        const current = file === undefined ? String(webhook.url ?? '') : (secrets[basename(file)] ?? '');
        const url = options.webhookUrl(String(receiver.name), current);
        if (url === undefined) continue;
        webhook.url = url;
        delete webhook.url_file;
      }
    }
  }
  const secretsDir = join(dir, 'secrets');
  mkdirSync(secretsDir, { recursive: true });
  for (const node of objects(config)) {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value !== 'string' || !value.startsWith(ALERTMANAGER_SECRETS_DIR)) continue;
      const name = basename(value);
      const local = join(secretsDir, name);
      writeFileSync(local, secrets[name] ?? '', { mode: 0o600 });
      node[key] = local;
    }
  }
  if (options.smtpSmarthost !== undefined) {
    config.global = { ...(config.global as Node | undefined), smtp_smarthost: options.smtpSmarthost };
  }
  for (const route of routes(config.route as Node | undefined)) {
    if (options.groupWait !== undefined) route.group_wait = options.groupWait;
    if (options.groupInterval !== undefined) route.group_interval = options.groupInterval;
  }
  writeFileSync(file, stringify(config));
  return file;
}

/** Options for {@link startAlertmanager}. */
export interface AlertmanagerOptions {
  /** The config to run. @default a local copy of prometheus/alertmanager.yml ({@link localAlertmanagerConfig}) */
  configFile?: string;
  /** Loopback port. @default a free port */
  port?: number;
  /** Binary. @default $SIGHTLINE_ALERTMANAGER_BIN or the cached build of scripts/build-prom-tools.sh */
  command?: string;
  /** @default 'alertmanager' */
  name?: string;
  /** How long it may take to answer `/-/ready`. @default 30000 */
  timeoutMs?: number;
}

/** One alert as Alertmanager's API v2 lists it. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string; inhibitedBy: string[]; silencedBy: string[] };
  receivers: Array<{ name: string }>;
}

/** A real Alertmanager on loopback. */
export interface Alertmanager {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly configFile: string;
  readonly process: ManagedProcess;
  /** `GET /api/v2/alerts`: what it holds now. */
  alerts(): Promise<AlertmanagerAlert[]>;
  stop(): Promise<void>;
  logs(): string;
}

/** Starts Alertmanager (gossip off, state in a temp dir) and waits until `/-/ready` answers 200. */
export async function startAlertmanager(options: AlertmanagerOptions = {}): Promise<Alertmanager> {
  const { name = 'alertmanager', timeoutMs = 30_000 } = options;
  const command = options.command ?? promToolBinary('alertmanager');
  const dir = tempDir('alertmanager');
  const configFile = options.configFile ?? localAlertmanagerConfig({ dir });
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const proc = await startManaged({
    name,
    command,
    args: [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty disables gossip: a single instance must not bind the cluster port 9094.
      '--cluster.listen-address=',
    ],
    readyUrl: `${url}/-/ready`,
    timeoutMs,
    intervalMs: 200,
  });
  return {
    url,
    configFile,
    process: proc,
    alerts: async () => {
      const response = await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`${name} /api/v2/alerts: ${response.status} ${await response.text()}`);
      return (await response.json()) as AlertmanagerAlert[];
    },
    stop: () => proc.stop(),
    logs: () => proc.logs(),
  };
}
