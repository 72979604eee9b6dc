// Small builders for Grafana dashboard JSON. They keep every dashboard consistent: fixed
// datasource uids, the same `service`/`env` variables, and panels laid out on the 24-column grid
// without hand-written coordinates.

/** Datasource uids fixed in grafana/provisioning/datasources/datasources.yaml. */
export const DS = {
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  tempo: { type: 'tempo', uid: 'tempo' },
  loki: { type: 'loki', uid: 'loki' },
} as const;

type DatasourceRef = (typeof DS)[keyof typeof DS];

/** Every HTTP and domain series carries these two labels (docs/CONTRACT.md). */
export const SEL = 'service_name=~"$service", deployment_environment_name=~"$env"';

export interface Target {
  refId?: string;
  datasource: DatasourceRef;
  [key: string]: unknown;
}

/** A PromQL query. `legend` is Grafana's legendFormat. */
export function prom(expr: string, legend = '', options: { exemplar?: boolean; instant?: boolean } = {}): Target {
  return {
    datasource: DS.prometheus,
    expr,
    legendFormat: legend === '' ? '__auto' : legend,
    range: options.instant !== true,
    instant: options.instant === true,
    exemplar: options.exemplar === true,
  };
}

/** A LogQL log query. */
export function loki(expr: string): Target {
  return { datasource: DS.loki, expr, queryType: 'range' };
}

/** A TraceQL search shown as a table of traces. */
export function traceql(query: string, limit = 20): Target {
  return { datasource: DS.tempo, queryType: 'traceql', query, limit, tableType: 'traces' };
}

/** Tempo's service map, built from traces_service_graph_* in Prometheus. */
export function serviceMap(): Target {
  return { datasource: DS.tempo, queryType: 'serviceMap' };
}

export type PanelType = 'timeseries' | 'stat' | 'gauge' | 'bargauge' | 'table' | 'logs' | 'traces' | 'nodeGraph';

export interface PanelSpec {
  title: string;
  type: PanelType;
  targets: Target[];
  description?: string;
  /** Grafana unit id, e.g. `reqps`, `s`, `percent`. */
  unit?: string;
  /** Width in grid columns (of 24). @default 12 */
  w?: number;
  /** Height in grid rows. @default 8 */
  h?: number;
  /** Threshold steps as [value, color] after the base green step. */
  thresholds?: Array<[number, string]>;
  min?: number;
  max?: number;
  /** Stack the series of a time series panel. */
  stacked?: boolean;
}

export interface RowSpec {
  row: string;
}

export type Item = PanelSpec | RowSpec;

export interface VariableSpec {
  name: string;
  label: string;
  query: string;
  /** Regex used for "All"; `.+` where a selector needs a non-empty matcher (Loki). */
  allValue: string;
}

/** The `service` and `env` variables every dashboard carries. */
export const serviceVariables: VariableSpec[] = [
  {
    name: 'service',
    label: 'Service',
    query: 'label_values(http_server_request_duration_seconds_count, service_name)',
    // Loki refuses a selector whose only matcher matches the empty string, so "All" is `.+`.
    allValue: '.+',
  },
  {
    name: 'env',
    label: 'Environment',
    query:
      'label_values(http_server_request_duration_seconds_count{service_name=~"$service"}, deployment_environment_name)',
    // `.*` also matches series of a service that sets no deployment.environment.name.
    allValue: '.*',
  },
];

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  items: Item[];
  variables?: VariableSpec[];
  /** @default 'now-1h' */
  from?: string;
  /** Links to other dashboards, by uid, shown next to the Sightline dropdown. @default [] */
  links?: Array<{ title: string; uid: string }>;
}

function variableJson(variable: VariableSpec): Record<string, unknown> {
  return {
    name: variable.name,
    label: variable.label,
    type: 'query',
    datasource: DS.prometheus,
    query: { query: variable.query, refId: `${variable.name}-variable` },
    definition: variable.query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: variable.allValue,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    sort: 1,
    hide: 0,
  };
}

function fieldConfig(panel: PanelSpec): Record<string, unknown> {
  const steps: Array<{ color: string; value: number | null }> = [{ color: 'green', value: null }];
  for (const [value, color] of panel.thresholds ?? []) steps.push({ color, value });
  const defaults: Record<string, unknown> = {
    thresholds: { mode: 'absolute', steps },
  };
  if (panel.unit !== undefined) defaults.unit = panel.unit;
  if (panel.min !== undefined) defaults.min = panel.min;
  if (panel.max !== undefined) defaults.max = panel.max;
  if (panel.type === 'timeseries') {
    defaults.custom = {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: panel.stacked === true ? 30 : 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: panel.stacked === true ? 'normal' : 'none', group: 'A' },
    };
  }
  return { defaults, overrides: [] };
}

function options(panel: PanelSpec): Record<string, unknown> {
  switch (panel.type) {
    case 'timeseries':
      return {
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
    case 'stat':
      return {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'area',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
      };
    case 'gauge':
    case 'bargauge':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal' };
    case 'logs':
      return { showTime: true, wrapLogMessage: true, sortOrder: 'Descending', enableLogDetails: true };
    default:
      return {};
  }
}

/** Lays items out left to right, wrapping at 24 columns; a row starts a new line. */
export function buildDashboard(spec: DashboardSpec): Record<string, unknown> {
  const panels: Array<Record<string, unknown>> = [];
  let id = 1;
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  for (const item of spec.items) {
    if ('row' in item) {
      y += lineHeight;
      panels.push({
        id: id++,
        type: 'row',
        title: item.row,
        collapsed: false,
        gridPos: { h: 1, w: 24, x: 0, y },
        panels: [],
      });
      y += 1;
      x = 0;
      lineHeight = 0;
      continue;
    }
    const w = item.w ?? 12;
    const h = item.h ?? 8;
    if (x + w > 24) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const datasource = item.targets[0]?.datasource ?? DS.prometheus;
    panels.push({
      id: id++,
      type: item.type,
      title: item.title,
      description: item.description ?? '',
      datasource,
      gridPos: { h, w, x, y },
      fieldConfig: fieldConfig(item),
      options: options(item),
      targets: item.targets.map((target, index) => ({ ...target, refId: String.fromCharCode(65 + index) })),
    });
    x += w;
    lineHeight = Math.max(lineHeight, h);
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['sightline', ...spec.tags],
    editable: false,
    graphTooltip: 1,
    timezone: 'browser',
    refresh: '30s',
    schemaVersion: 41,
    version: 1,
    time: { from: spec.from ?? 'now-1h', to: 'now' },
    timepicker: {},
    fiscalYearStartMonth: 0,
    liveNow: false,
    links: [
      { title: 'Sightline', type: 'dashboards', tags: ['sightline'], asDropdown: true, includeVars: true },
      ...(spec.links ?? []).map(({ title, uid }) => ({
        title,
        type: 'link',
        url: `/d/${uid}`,
        icon: 'dashboard',
        keepTime: true,
        includeVars: false,
        targetBlank: false,
      })),
    ],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: { list: (spec.variables ?? serviceVariables).map(variableJson) },
    panels,
  };
}
