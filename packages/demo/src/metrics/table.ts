// The top README's spec-metric -> emitted-series table, generated from the catalogs so it cannot drift
// (`npm run gen:metrics-table`; a test fails when it is stale).
import { type Catalog, init, type LabelRule, type LabelSet, type MetricDefinition } from '@sightline/node';
import { DIVAN_CATALOGS, specMappings } from './definitions.js';
import { type MetricDocs, type MetricGroup, SDK_METRIC_DOCS, type SpecReference } from './docs.js';

const GROUP_ORDER: readonly MetricGroup[] = [
  'auth',
  'rate_limit',
  'realtime',
  'domain',
  'infrastructure',
  'jobs',
  'business',
];

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
 * The Prometheus series an instrument becomes after remote-write: `.` -> `_`, `_seconds` for
 * unit `s`, `_total` for counters; curly-brace units add nothing.
 */
export function prometheusSeries(instrumentName: string, definition: MetricDefinition): string {
  const base = instrumentName.replace(/[^A-Za-z0-9_]/g, '_');
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

/** One line saying how a label is bounded. */
export function describeRule(rule: LabelRule, labelSets: { readonly [set: string]: LabelSet }): string {
  switch (rule.kind) {
    case 'enum':
      return [...new Set([...rule.values, 'other'])].join(', ');
    case 'configured':
      return `configured \`${rule.set}\` (≤ ${labelSets[rule.set]?.max}) + other`;
    case 'ip_prefix':
      return 'IPv4 /16, IPv6 /32 prefix';
    case 'user_id_prefix':
      return 'first 2 hex chars of the user id';
    case 'radius_bucket':
      return `${rule.buckets.join(', ')}, other (metres)`;
    case 'identifier':
      return `name from code (≤ ${rule.maxValues})`;
  }
}

/** A metric's group and specs: from its own definition (Divan's), or SDK_METRIC_DOCS (the SDK's). */
export function docsOf(definition: MetricDefinition): MetricDocs {
  const own = definition as Partial<MetricDocs>;
  if (own.group !== undefined && own.specs !== undefined) return { group: own.group, specs: own.specs };
  const docs = SDK_METRIC_DOCS[definition.name];
  if (docs === undefined) throw new Error(`metric ${definition.name}: no group and specs (add it to SDK_METRIC_DOCS)`);
  return docs;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const code = (text: string): string => `\`${text}\``;

/**
 * The table for `catalogs` (the `sightline.catalogs` of Divan's instance: the SDK's metrics and
 * Divan's): one row per metric a spec names (or describes), by group, then the spec metrics that
 * semconv series carry or that are not emitted.
 */
export function renderMetricsTable(catalogs: readonly Catalog[]): string {
  const lines = [
    'Generated from `packages/demo/src/metrics` by `npm run gen:metrics-table`; a test fails when it is stale.',
    'Specs: 000 and 001 Divan, 002 bambisleep, 003 Aura, 004 Panic System. _Italic_ spec metrics are',
    'described by the spec without a name. Limit = the instrument’s cardinality limit (overflow series included).',
    '',
    '| Spec | Spec metric | Emitted series | Kind | Labels | Limit | Group | Note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const entries = catalogs.flatMap((catalog) =>
    Object.entries(catalog.metrics).map(([id, definition]) => ({
      catalog,
      definition,
      instrument: catalog.instruments[id] as Catalog['instruments'][string],
      docs: docsOf(definition),
    })),
  );
  // Stable: within a group, catalog order.
  entries.sort((a, b) => GROUP_ORDER.indexOf(a.docs.group) - GROUP_ORDER.indexOf(b.docs.group));
  for (const { catalog, definition, instrument, docs } of entries) {
    const series = code(prometheusSeries(instrument.name, definition));
    const kind = definition.kind === 'updown' ? 'updown counter' : definition.kind.replace('_', ' ');
    const labels = Object.entries(definition.labels);
    const labelsCell =
      labels.length === 0
        ? '–'
        : labels.map(([key, rule]) => `${code(key)}: ${describeRule(rule, catalog.labelSets)}`).join('; ');
    const rest = [kind, labelsCell, String(instrument.cardinalityLimit), GROUP_TITLES[docs.group]];
    const references: SpecReference[] = [...docs.specs].sort((a, b) => a.spec.localeCompare(b.spec));
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

/**
 * Divan's table: the catalogs of an instance given Divan's catalogs (a disabled one: nothing starts),
 * Divan's first so that within a group the SDK's metrics come last.
 */
export function divanMetricsTable(): string {
  const sightline = init({ enabled: false, catalogs: DIVAN_CATALOGS, logDestination: { write: () => {} } });
  const [sdk, ...service] = sightline.catalogs;
  return renderMetricsTable([...service, sdk]);
}
