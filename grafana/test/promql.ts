// Every PromQL expression of every dashboard, with Grafana's template variables filled in the
// way Grafana fills them, ready to run against a real Prometheus. The native end-to-end test
// imports this, so dashboards and the e2e check can never drift apart.
import { dashboardQueries, datasourceQueries, loadDashboards, type Query } from './sources.ts';

/** What each `$variable` becomes. Defaults select "All" (each variable's allValue). */
export type VariableValues = Record<string, string>;

export const defaultValues: VariableValues = {
  service: '.+',
  env: '.*',
  instance: '.+',
  host: '.+',
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
  // datasource link macros
  __tags: 'service_name="divan-api"',
  '__trace.traceId': '4bf92f3577b34da6a3ce929d0e0e4736',
  '__span.spanId': '00f067aa0ba902b7',
};

/**
 * Replaces `$name` and `${name}`; `$$` (Grafana's provisioning escape for `$`) becomes `$` first.
 * Throws on a variable with no value, naming it, so a typo in a dashboard fails loudly.
 */
export function substitute(text: string, values: VariableValues = defaultValues): string {
  return text.replaceAll('$$', '$').replace(/\$\{([\w.]+)\}|\$(\w+)/g, (_match, braced: string, bare: string) => {
    const name = braced ?? bare;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for template variable $${name} in: ${text}`);
    return value;
  });
}

export interface PromQLExpression {
  /** Dashboard file name, or `datasource <uid>`. */
  dashboard: string;
  /** Panel title and refId, or the variable / datasource key. */
  panel: string;
  /** The expression as written in the dashboard. */
  raw: string;
  /** With every template variable substituted. */
  expr: string;
}

function split(query: Query): { dashboard: string; panel: string } {
  const [dashboard = '', ...rest] = query.where.split(' / ');
  return { dashboard, panel: rest.join(' / ') };
}

/**
 * Grafana's `label_values(selector, label)` variable query is not PromQL; Prometheus answers the
 * same question with `group by (label) (selector)`.
 */
export function variableQueryAsPromQL(text: string): string {
  const match = /^label_values\((.*),\s*(\w+)\)$/s.exec(text.trim());
  return match === null ? text : `group by (${match[2]}) (${match[1]})`;
}

/** Every PromQL expression in the dashboards (panels and variables) and in datasource links. */
export function dashboardPromQL(values: VariableValues = {}): PromQLExpression[] {
  const merged = { ...defaultValues, ...values };
  return [...dashboardQueries(loadDashboards()), ...datasourceQueries()]
    .filter((query) => query.language === 'promql')
    .map((query) => ({
      ...split(query),
      raw: query.text,
      expr: substitute(variableQueryAsPromQL(query.text), merged),
    }));
}
