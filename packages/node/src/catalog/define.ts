import { errors } from '../errors.js';
import { instrumentName } from './recorders.js';
import type { Catalog, CatalogInstrument, CatalogSpec, LabelSet, MetricDefinitions } from './types.js';
import { cardinalityLimitOf } from './views.js';

const NAMESPACE = /^[a-z][a-z0-9_]{0,31}$/;
const METRIC_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const KINDS = new Set(['counter', 'updown', 'histogram', 'gauge', 'observable_gauge']);
const RULES = new Set(['enum', 'configured', 'ip_prefix', 'user_id_prefix', 'radius_bucket', 'identifier']);

/** Catalogs made by {@link defineCatalog}: `init` and `createDomainMetrics` accept nothing else. */
const defined = new WeakSet<object>();

/** True for a catalog {@link defineCatalog} returned. */
export function isCatalog(value: unknown): value is Catalog {
  return typeof value === 'object' && value !== null && defined.has(value);
}

/** Throws `SIGHTLINE_CATALOG_NAMESPACE` unless `namespace` is `[a-z][a-z0-9_]{0,31}`. */
export function checkNamespace(namespace: unknown): string {
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw errors.CATALOG_NAMESPACE(
      `namespace: expected lower-case letters, digits and _ starting with a letter, got ${JSON.stringify(namespace)}`,
    );
  }
  return namespace;
}

const isPositiveInteger = (value: unknown): boolean => Number.isInteger(value) && (value as number) > 0;
const isStringList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');

function checkLabelSets(labelSets: unknown): { readonly [set: string]: LabelSet } {
  if (labelSets === undefined) return {};
  if (typeof labelSets !== 'object' || labelSets === null) {
    throw errors.CATALOG_DEFINITION(`labelSets: expected an object, got ${JSON.stringify(labelSets)}`);
  }
  for (const [set, definition] of Object.entries(labelSets)) {
    const { max, defaults } = (definition ?? {}) as { max?: unknown; defaults?: unknown };
    if (!isPositiveInteger(max)) {
      throw errors.CATALOG_DEFINITION(`labelSets.${set}.max: expected a positive integer, got ${JSON.stringify(max)}`);
    }
    if (defaults !== undefined && (!isStringList(defaults) || defaults.length > (max as number))) {
      throw errors.CATALOG_DEFINITION(
        `labelSets.${set}.defaults: expected at most ${max} non-empty strings, got ${JSON.stringify(defaults)}`,
      );
    }
  }
  return labelSets as { readonly [set: string]: LabelSet };
}

/** Checks one definition's shape; throws `SIGHTLINE_CATALOG_DEFINITION` naming `metrics.<id>`. */
function checkDefinition(id: string, value: unknown, labelSets: { readonly [set: string]: LabelSet }): void {
  const bad = (detail: string) => errors.CATALOG_DEFINITION(`metrics.${id}.${detail}`);
  const definition = (value ?? {}) as Record<string, unknown>;
  if (typeof definition.name !== 'string' || !METRIC_NAME.test(definition.name)) {
    throw bad(`name: expected dot-separated lower-case words, got ${JSON.stringify(definition.name)}`);
  }
  if (!KINDS.has(definition.kind as string)) {
    throw bad(`kind: expected one of ${[...KINDS].join(', ')}, got ${JSON.stringify(definition.kind)}`);
  }
  if (typeof definition.unit !== 'string')
    throw bad(`unit: expected a UCUM string, got ${JSON.stringify(definition.unit)}`);
  if (typeof definition.description !== 'string' || definition.description === '') {
    throw bad('description: expected a non-empty string');
  }
  const labels = definition.labels;
  if (typeof labels !== 'object' || labels === null) throw bad('labels: expected an object');
  for (const [label, rule] of Object.entries(labels)) {
    const { kind, set, values, maxValues, buckets } = (rule ?? {}) as Record<string, unknown>;
    if (!RULES.has(kind as string)) throw bad(`labels.${label}.kind: expected one of ${[...RULES].join(', ')}`);
    if (kind === 'configured' && (typeof set !== 'string' || !(set in labelSets))) {
      throw bad(`labels.${label}.set: ${JSON.stringify(set)} is not one of the catalog's labelSets`);
    }
    if (kind === 'enum' && !isStringList(values)) throw bad(`labels.${label}.values: expected non-empty strings`);
    if ((kind === 'identifier' || kind === 'ip_prefix') && !isPositiveInteger(maxValues)) {
      throw bad(`labels.${label}.maxValues: expected a positive integer`);
    }
    if (kind === 'radius_bucket' && !isAscending(buckets))
      throw bad(`labels.${label}.buckets: expected ascending numbers`);
  }
  if (definition.buckets !== undefined && (definition.kind !== 'histogram' || !isAscending(definition.buckets))) {
    throw bad('buckets: expected ascending numbers, on a histogram only');
  }
}

function isAscending(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item, i) => Number.isFinite(item) && (i === 0 || item > (value[i - 1] as number)))
  );
}

/**
 * Declares a service's metric catalog: its namespace, its configurable label sets and its metric
 * definitions. Checks every definition (names, kinds, label rules, buckets) and throws a
 * `SightlineError` naming the bad key (`SIGHTLINE_CATALOG_NAMESPACE`, `SIGHTLINE_CATALOG_DEFINITION`).
 * Pass the result to `init({ catalogs })` (its views) and to `createDomainMetrics` (its recorders).
 */
export function defineCatalog<const M extends MetricDefinitions<S>, const S extends string = never>(
  spec: CatalogSpec<M, S>,
): Catalog<M, S> {
  const namespace = checkNamespace(spec?.namespace);
  const labelSets = checkLabelSets(spec.labelSets);
  if (typeof spec.metrics !== 'object' || spec.metrics === null) {
    throw errors.CATALOG_DEFINITION('metrics: expected an object of metric definitions');
  }
  const instruments: Record<string, CatalogInstrument> = {};
  const ids = new Map<string, string>();
  for (const [id, definition] of Object.entries(spec.metrics)) {
    checkDefinition(id, definition, labelSets);
    const name = instrumentName(definition, namespace);
    const other = ids.get(name);
    if (other !== undefined) throw errors.CATALOG_DEFINITION(`metrics.${id}.name: ${name} is also metrics.${other}`);
    ids.set(name, id);
    instruments[id] = Object.freeze({ name, cardinalityLimit: cardinalityLimitOf(definition, labelSets) });
  }
  const catalog = Object.freeze({
    namespace,
    labelSets: Object.freeze({ ...labelSets }),
    metrics: spec.metrics,
    instruments: Object.freeze(instruments),
  }) as unknown as Catalog<M, S>;
  defined.add(catalog);
  return catalog;
}
