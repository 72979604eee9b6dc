// Reads what Grafana loads (dashboard JSON, datasource provisioning) and lists every query in it
// by language, so the static checks and the native end-to-end test look at the same set.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const grafanaDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = join(grafanaDir, '..');

export interface DashboardTarget {
  refId: string;
  datasource?: { type?: string; uid?: string };
  expr?: string;
  query?: string;
  queryType?: string;
  [key: string]: unknown;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  [key: string]: unknown;
}

export interface DashboardVariable {
  name: string;
  type: string;
  query: { query: string } | string;
  allValue?: string;
  [key: string]: unknown;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: DashboardVariable[] };
  panels: DashboardPanel[];
  [key: string]: unknown;
}

/** Every provisioned dashboard, keyed by file name. */
export function loadDashboards(): Map<string, Dashboard> {
  const dir = join(grafanaDir, 'dashboards');
  const result = new Map<string, Dashboard>();
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    result.set(file, JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard);
  }
  return result;
}

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  jsonData?: Record<string, unknown>;
}

/** The datasources of grafana/provisioning/datasources/*.yaml. */
export function loadDatasources(): ProvisionedDatasource[] {
  const dir = join(grafanaDir, 'provisioning', 'datasources');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .flatMap(
      (file) => (parse(readFileSync(join(dir, file), 'utf8')) as { datasources: ProvisionedDatasource[] }).datasources,
    );
}

export type Language = 'promql' | 'logql' | 'traceql';

export interface Query {
  language: Language;
  /** `dashboard file / panel title / refId` or `datasource <uid> / <key>`. */
  where: string;
  text: string;
}

const languageOfDatasource: Record<string, Language> = { prometheus: 'promql', loki: 'logql', tempo: 'traceql' };

/** Every query text in the dashboards, as written (template variables not yet substituted). */
export function dashboardQueries(dashboards = loadDashboards()): Query[] {
  const queries: Query[] = [];
  for (const [file, dashboard] of dashboards) {
    for (const variable of dashboard.templating.list) {
      const text = typeof variable.query === 'string' ? variable.query : variable.query.query;
      queries.push({ language: 'promql', where: `${file} / variable ${variable.name}`, text });
    }
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const language = languageOfDatasource[target.datasource?.type ?? ''];
        const text = language === 'traceql' ? target.query : target.expr;
        if (language === undefined || text === undefined) continue;
        queries.push({ language, where: `${file} / ${panel.title} / ${target.refId}`, text });
      }
    }
  }
  return queries;
}

/** Query templates inside datasource provisioning (trace-to-logs, trace-to-metrics). */
export function datasourceQueries(datasources = loadDatasources()): Query[] {
  const queries: Query[] = [];
  for (const datasource of datasources) {
    const json = datasource.jsonData ?? {};
    const toLogs = json.tracesToLogsV2 as { query?: string } | undefined;
    if (toLogs?.query !== undefined) {
      queries.push({ language: 'logql', where: `datasource ${datasource.uid} / tracesToLogsV2`, text: toLogs.query });
    }
    const toMetrics = json.tracesToMetrics as { queries?: Array<{ name: string; query: string }> } | undefined;
    for (const query of toMetrics?.queries ?? []) {
      queries.push({
        language: 'promql',
        where: `datasource ${datasource.uid} / tracesToMetrics ${query.name}`,
        text: query.query,
      });
    }
  }
  return queries;
}
