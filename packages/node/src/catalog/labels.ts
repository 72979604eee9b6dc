import { errors } from '../errors.js';
import { ipPrefix, OTHER, userIdPrefix } from '../prefix.js';
import type { LabelRule, LabelSet } from './types.js';

// One helper each for IP and user-id prefixes, shared with the request logs (src/prefix.ts).
export { ipPrefix, OTHER, userIdPrefix };

/** Resolved values of every configurable label set of a catalog. */
export type ResolvedLabelValues = { readonly [set: string]: readonly string[] };

const IDENTIFIER = /^[A-Za-z_/][A-Za-z0-9_.:/-]{0,63}$/;
/** The smallest bucket that holds `raw` metres, `other` above the largest or for non-numbers. */
export function radiusBucket(raw: unknown, buckets: readonly number[]): string {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) return OTHER;
  const bucket = buckets.find((bound) => value <= bound);
  return bucket === undefined ? OTHER : String(bucket);
}

/** A name that comes from code (job, stream, error class); anything else is `other`. */
export function identifier(raw: unknown): string {
  return typeof raw === 'string' && IDENTIFIER.test(raw) ? raw : OTHER;
}

/** Turns one label rule into a function from any runtime value to a bounded string. */
export function labelNormalizer(rule: LabelRule, values: ResolvedLabelValues): (raw: unknown) => string {
  switch (rule.kind) {
    case 'enum':
    case 'configured': {
      const allowed = new Set(rule.kind === 'enum' ? rule.values : (values[rule.set] ?? []));
      return (raw) => {
        const value = typeof raw === 'number' ? String(raw) : raw;
        return typeof value === 'string' && allowed.has(value) ? value : OTHER;
      };
    }
    case 'ip_prefix':
      return ipPrefix;
    case 'user_id_prefix':
      return userIdPrefix;
    case 'radius_bucket':
      return (raw) => radiusBucket(raw, rule.buckets);
    case 'identifier':
      return identifier;
  }
}

/** How many distinct values a label can take, `other` included. */
export function labelValueCount(rule: LabelRule, labelSets: { readonly [set: string]: LabelSet }): number {
  switch (rule.kind) {
    case 'enum':
      return new Set([...rule.values, OTHER]).size;
    case 'configured':
      return (labelSets[rule.set]?.max ?? 0) + 1;
    case 'ip_prefix':
    case 'identifier':
      return rule.maxValues + 1;
    case 'user_id_prefix':
      return 16 * 16 + 1;
    case 'radius_bucket':
      return rule.buckets.length + 1;
  }
}

/**
 * The values of each of a catalog's label sets: the service's over the set's defaults, each checked
 * for type and size. Throws `SIGHTLINE_CATALOG_LABEL_VALUES` naming the bad set.
 */
export function resolveLabelValues(
  labelSets: { readonly [set: string]: LabelSet },
  options: { readonly [set: string]: unknown } | undefined,
): ResolvedLabelValues {
  const resolved: Record<string, readonly string[]> = {};
  for (const [set, definition] of Object.entries(labelSets)) resolved[set] = definition.defaults ?? [];
  for (const [set, values] of Object.entries(options ?? {})) {
    const definition = labelSets[set];
    if (definition === undefined) {
      throw errors.CATALOG_LABEL_VALUES(
        `labelValues.${set}: unknown label set, expected one of ${Object.keys(labelSets).join(', ') || '(none)'}`,
      );
    }
    if (values === undefined) continue;
    if (!Array.isArray(values) || values.some((value) => typeof value !== 'string' || value === '')) {
      throw errors.CATALOG_LABEL_VALUES(
        `labelValues.${set}: expected an array of non-empty strings, got ${JSON.stringify(values)}`,
      );
    }
    if (values.length > definition.max) {
      throw errors.CATALOG_LABEL_VALUES(
        `labelValues.${set}: expected at most ${definition.max} values, got ${values.length}`,
      );
    }
    resolved[set] = values as string[];
  }
  return resolved;
}
