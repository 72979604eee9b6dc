import { ipPrefix, OTHER, userIdPrefix } from '../prefix.js';
import type { ConfigurableLabelSet, LabelRule } from './types.js';

// One helper each for IP and user-id prefixes, shared with the request logs (src/prefix.ts).
export { ipPrefix, OTHER, userIdPrefix };

/** Allowed values of the configurable label sets, per set. Values outside fold into `other`. */
export type LabelValueOptions = { readonly [S in ConfigurableLabelSet]?: readonly string[] };

/** Values used when the service configures nothing: one visible place for every default. */
export const DEFAULT_LABEL_VALUES: { readonly [S in ConfigurableLabelSet]: readonly string[] } = {
  campusIds: [],
  activityKinds: ['study', 'sport', 'social', 'game', 'event'],
  socketNamespaces: ['/'],
  socketEvents: [],
  currencies: ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'CNY', 'INR', 'BRL', 'ZAR', 'TRY'],
  plans: ['free', 'basic', 'pro', 'enterprise'],
  webhookProviders: ['stripe'],
  workflowTypes: ['struggle', 'audit'],
};

/** The most values a service may configure per set; it sizes each instrument's cardinality limit. */
export const MAX_CONFIGURED_VALUES: { readonly [S in ConfigurableLabelSet]: number } = {
  campusIds: 200,
  activityKinds: 32,
  socketNamespaces: 16,
  socketEvents: 64,
  currencies: 32,
  plans: 16,
  webhookProviders: 8,
  workflowTypes: 16,
};

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
export function labelNormalizer(
  rule: LabelRule,
  values: { readonly [S in ConfigurableLabelSet]: readonly string[] },
): (raw: unknown) => string {
  switch (rule.kind) {
    case 'enum':
    case 'configured': {
      const allowed = new Set(rule.kind === 'enum' ? rule.values : values[rule.set]);
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
export function labelValueCount(rule: LabelRule): number {
  switch (rule.kind) {
    case 'enum':
      return new Set([...rule.values, OTHER]).size;
    case 'configured':
      return MAX_CONFIGURED_VALUES[rule.set] + 1;
    case 'ip_prefix':
    case 'identifier':
      return rule.maxValues + 1;
    case 'user_id_prefix':
      return 16 * 16 + 1;
    case 'radius_bucket':
      return rule.buckets.length + 1;
  }
}

/** One line saying how a label is bounded, for the README table. */
export function describeRule(rule: LabelRule): string {
  switch (rule.kind) {
    case 'enum':
      return [...new Set([...rule.values, OTHER])].join(', ');
    case 'configured':
      return `configured \`${rule.set}\` (≤ ${MAX_CONFIGURED_VALUES[rule.set]}) + other`;
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

/**
 * Merges configured label values over the defaults, checking each set's type and size.
 * Throws `SIGHTLINE_CATALOG_LABEL_VALUES` naming the bad set.
 */
export function resolveLabelValues(options: LabelValueOptions | undefined): {
  readonly [S in ConfigurableLabelSet]: readonly string[];
} {
  const resolved = { ...DEFAULT_LABEL_VALUES };
  for (const [set, values] of Object.entries(options ?? {}) as [ConfigurableLabelSet, unknown][]) {
    if (!(set in DEFAULT_LABEL_VALUES)) {
      throw catalogError(
        'SIGHTLINE_CATALOG_LABEL_VALUES',
        `labelValues.${set}: unknown label set, expected one of ${Object.keys(DEFAULT_LABEL_VALUES).join(', ')}`,
      );
    }
    if (values === undefined) continue;
    if (!Array.isArray(values) || values.some((value) => typeof value !== 'string' || value === '')) {
      throw catalogError(
        'SIGHTLINE_CATALOG_LABEL_VALUES',
        `labelValues.${set}: expected an array of non-empty strings, got ${JSON.stringify(values)}`,
      );
    }
    if (values.length > MAX_CONFIGURED_VALUES[set]) {
      throw catalogError(
        'SIGHTLINE_CATALOG_LABEL_VALUES',
        `labelValues.${set}: expected at most ${MAX_CONFIGURED_VALUES[set]} values, got ${values.length}`,
      );
    }
    resolved[set] = values as string[];
  }
  return resolved;
}

/** An Error with a stable `code`, like the rest of the SDK's errors. */
export function catalogError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
