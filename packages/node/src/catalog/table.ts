import { businessCatalog, domainCatalog, specMappings } from './definitions.js';
import { describeRule } from './labels.js';
import { DEFAULT_NAMESPACE, instrumentName } from './recorders.js';
import type { MetricDefinition, MetricGroup, SpecReference } from './types.js';
import { cardinalityLimitOf } from './views.js';

const GROUP_TITLES: { readonly [G in MetricGroup]: string } = {
  auth: 'auth & security',
  rate_limit: 'rate limiting',
  realtime: 'realtime',
  domain: 'domain (spec 001 §4)',
  infrastructure: 'infrastructure',
  jobs: 'jobs',
  business: 'business (opt-in)',
};

/**
 * The Prometheus series a definition becomes after remote-write: `.` -> `_`, `_seconds` for
 * unit `s`, `_total` for counters; curly-brace units add nothing.
 */
export function prometheusSeries(definition: MetricDefinition, namespace: string = DEFAULT_NAMESPACE): string {
  const base = instrumentName(definition, namespace).replace(/[^A-Za-z0-9_]/g, '_');
  const name = definition.unit === 's' ? `${base}_seconds` : base;
  switch (definition.kind) {
    case 'counter':
      return `${name}_total`;
    case 'histogram':
      return `${name}_{bucket,sum,count}`;
    default:
      return name;
  }
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const code = (text: string): string => `\`${text}\``;

function labelsCell(definition: MetricDefinition): string {
  const labels = Object.entries(definition.labels);
  if (labels.length === 0) return '–';
  return labels.map(([key, rule]) => `${code(key)}: ${describeRule(rule)}`).join('; ');
}

/**
 * The README's spec-metric -> emitted-series table, generated from the catalog so it cannot drift:
 * one row per metric a spec names (or describes), in catalog order, then the spec metrics that
 * semconv series carry or that are not emitted.
 */
export function renderMetricsTable(): string {
  const lines = [
    'Generated from `packages/node/src/catalog` by `npm run gen:metrics-table`; a test fails when it is stale.',
    'Specs: 000 and 001 Divan, 002 bambisleep, 003 Aura, 004 Panic System. _Italic_ spec metrics are',
    'described by the spec without a name. Limit = the instrument’s cardinality limit (overflow series included).',
    '',
    '| Spec | Spec metric | Emitted series | Kind | Labels | Limit | Group | Note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const definitions: MetricDefinition[] = [...Object.values(domainCatalog), ...Object.values(businessCatalog)];
  for (const definition of definitions) {
    const series = code(prometheusSeries(definition));
    const kind = definition.kind === 'updown' ? 'updown counter' : definition.kind.replace('_', ' ');
    const rest = [kind, labelsCell(definition), String(cardinalityLimitOf(definition)), GROUP_TITLES[definition.group]];
    const references: SpecReference[] = [...definition.specs].sort((a, b) => a.spec.localeCompare(b.spec));
    for (const reference of references) {
      const name = reference.named === false ? `_${reference.name}_` : code(reference.name);
      lines.push(`| ${[reference.spec, name, series, ...rest, reference.note ?? ''].map(cell).join(' | ')} |`);
    }
  }
  const mappings = [...specMappings].sort((a, b) => a.spec.localeCompare(b.spec));
  for (const mapping of mappings) {
    const name = mapping.named === false ? `_${mapping.name}_` : code(mapping.name);
    const series = mapping.series === null ? '—' : code(mapping.series);
    const group = mapping.series === null ? 'not emitted' : 'semconv / derived';
    lines.push(`| ${[mapping.spec, name, series, '', '', '', group, mapping.note].map(cell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
