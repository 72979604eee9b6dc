/**
 * Compiles the shared PII rules (pii/rules.yaml) into a scrubber: the same rules, in the same
 * order, with the same prefilters and limits as the collector's sightline_pii processor.
 */
import { errors } from '../errors.js';
import type { PiiPatternSpec, PiiRuleSpec } from './spec.js';

type Part = string | number;

interface CompiledPattern {
  name: string;
  re: RegExp;
  template: Part[];
  /** Any of the rule's hints, as one regex (shared by rules with the same hints). */
  hints: RegExp | undefined;
  minDigits: number;
  keys: Set<string> | undefined;
  validate: ((match: string) => boolean) | undefined;
}

/** Past this many distinct keys, key decisions are computed uncached (keys are client input). */
const MAX_KEY_CACHE = 8192;
/**
 * Values known to be clean (nothing to redact), so a repeated route, method or user agent costs one
 * lookup. Only clean values are kept, never one that held something personal; short ones only, and
 * the set starts over when full.
 */
const MAX_CLEAN_CACHE = 4096;
const MAX_CLEAN_LENGTH = 256;

function fail(rule: string, message: string): never {
  throw errors.CONFIG_PII_RULES(rule, message);
}

function compileRegExp(rule: string, source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    return fail(rule, (error as Error).message);
  }
}

/** `${N}` group references become numbers, the rest literal text; a bare `$` is an error, as in Go. */
function compileTemplate(rule: string, template: string, groups: number): Part[] {
  const parts: Part[] = [];
  const re = /\$\{(\d+)\}|\$/g;
  let last = 0;
  for (let m = re.exec(template); m !== null; m = re.exec(template)) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${N} is the rules' group syntax
    if (m[1] === undefined) fail(rule, 'replace: a bare $ is not allowed, use ${N} for group N');
    const n = Number(m[1]);
    if (n > groups) fail(rule, `replace: \${${n}} but the pattern has ${groups} groups`);
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push(n);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

function groupCount(re: RegExp): number {
  // A regex that also matches "" has exactly as many groups as the original.
  return (new RegExp(`${re.source}|`).exec('')?.length ?? 1) - 1;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compileHints(spec: PiiPatternSpec, shared: Map<string, RegExp>): RegExp | undefined {
  if (!spec.hints || spec.hints.length === 0) return undefined;
  const source = spec.hints.map(escapeRegExp).join('|');
  const flags = spec.flags === 'i' ? 'i' : '';
  let re = shared.get(`${flags}/${source}`);
  if (re === undefined) {
    re = new RegExp(source, flags);
    shared.set(`${flags}/${source}`, re);
  }
  return re;
}

function compilePattern(spec: PiiPatternSpec, index: number, hints: Map<string, RegExp>): CompiledPattern {
  const rule = spec.name ? `patterns rule "${spec.name}"` : `patterns[${index}]`;
  if (!spec.name) fail(rule, 'name is required');
  if (!spec.pattern) fail(rule, 'pattern is required');
  if (spec.flags !== undefined && spec.flags !== 'i') fail(rule, `flags: only "i" is supported, got "${spec.flags}"`);
  const fold = spec.flags === 'i';
  const re = compileRegExp(rule, spec.pattern, fold ? 'gi' : 'g');
  let validate: CompiledPattern['validate'];
  if (spec.validate === 'luhn') validate = luhnValid;
  else if (spec.validate === 'iban') validate = ibanValid;
  else if (spec.validate !== undefined) fail(rule, `validate: want luhn or iban, got "${spec.validate}"`);
  return {
    name: spec.name,
    re,
    template: compileTemplate(rule, spec.replace ?? '', groupCount(re)),
    hints: compileHints(spec, hints),
    minDigits: spec.min_digits ?? 0,
    keys: spec.keys && spec.keys.length > 0 ? new Set(spec.keys) : undefined,
    validate,
  };
}

export function luhnValid(match: string): boolean {
  let sum = 0;
  let n = 0;
  for (let i = match.length - 1; i >= 0; i--) {
    const c = match.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    let d = c;
    if (n % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    n++;
  }
  return n >= 12 && sum % 10 === 0;
}

/** ISO 13616 mod-97 check on the match with spaces removed. */
export function ibanValid(match: string): boolean {
  const s = match.replaceAll(' ', '');
  if (s.length < 15 || s.length > 34) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const c = ch.charCodeAt(0);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/** Decodes every valid %XX run (as UTF-8; invalid sequences become U+FFFD) and, with plus, `+`. */
export function percentDecode(s: string, plus: boolean): string {
  const src = plus ? s.replaceAll('+', ' ') : s;
  return src.replace(ESCAPE_RUN, (run) => Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'));
}

/** A compiled rule set: safe to share, it holds only a bounded cache of key decisions. */
export class PiiRules {
  readonly maxDepth: number;
  readonly maxStringLength: number;
  readonly depthMarker: string;
  readonly truncatedMarker: string;
  /** Look-alikes that must pass unchanged (tests read them). */
  readonly mustSurvive: readonly string[];
  private readonly patterns: CompiledPattern[];
  private readonly dropKeys: RegExp[];
  private readonly headerPrefixes: string[];
  private readonly headerMapKeys: Set<string>;
  private readonly headerAllow: Set<string>;
  private readonly numbers: Array<{ key: RegExp; scale: number }>;
  private readonly decodePercent: boolean;
  private readonly plusAsSpace: boolean;
  private readonly maxRounds: number;
  private readonly keyCache = new Map<string, boolean>();
  private readonly clean = new Set<string>();
  /** One clean set per key a key-scoped rule names. */
  private readonly cleanScoped: Map<string, Set<string>>;

  /** Compiles `spec`; throws `SIGHTLINE_CONFIG_PII_RULES: <rule>: <why>` naming the bad rule. */
  constructor(spec: PiiRuleSpec) {
    if (spec.version !== 1) fail('version', `want 1, got ${spec.version}`);
    const { limits, decode } = spec;
    if (!(limits.max_depth >= 1 && limits.max_depth <= 1000))
      fail('limits.max_depth', `want 1..1000, got ${limits.max_depth}`);
    if (!(limits.max_string_bytes >= 1024))
      fail('limits.max_string_bytes', `want at least 1024, got ${limits.max_string_bytes}`);
    if (!(decode.max_rounds >= 0 && decode.max_rounds <= 4))
      fail('decode.max_rounds', `want 0..4, got ${decode.max_rounds}`);
    this.maxDepth = limits.max_depth;
    this.maxStringLength = limits.max_string_bytes;
    this.depthMarker = limits.depth_marker;
    this.truncatedMarker = limits.truncated_marker;
    this.decodePercent = decode.percent;
    this.plusAsSpace = decode.plus_as_space;
    this.maxRounds = decode.max_rounds;
    this.mustSurvive = spec.must_survive ?? [];
    this.dropKeys = spec.keys.drop.map((d, i) =>
      compileRegExp(d.name ? `keys.drop rule "${d.name}"` : `keys.drop[${i}]`, d.pattern, 'i'),
    );
    this.headerPrefixes = spec.keys.headers.prefixes.map((p) => p.toLowerCase());
    this.headerMapKeys = new Set(spec.keys.headers.map_keys.map((k) => k.toLowerCase()));
    this.headerAllow = new Set(spec.keys.headers.allow.map((h) => h.toLowerCase()));
    this.numbers = spec.numbers.map((n) => {
      const rule = `numbers rule "${n.name}"`;
      if (!(n.decimals >= 0 && n.decimals <= 6)) fail(rule, `decimals: want 0..6, got ${n.decimals}`);
      return { key: compileRegExp(rule, n.key_pattern, 'i'), scale: 10 ** n.decimals };
    });
    const scopedKeys = new Set(spec.patterns.flatMap((p) => p.keys ?? []));
    this.cleanScoped = new Map([...scopedKeys].map((key) => [key, new Set<string>()]));
    const names = new Set<string>();
    const hints = new Map<string, RegExp>();
    this.patterns = spec.patterns.map((p, i) => {
      const compiled = compilePattern(p, i, hints);
      if (names.has(p.name)) fail(`patterns rule "${p.name}"`, 'duplicate name');
      names.add(p.name);
      return compiled;
    });
  }

  /** True when an entry with this key is removed (secret key, or a header not on the allow list). */
  dropKey(key: string): boolean {
    const cached = this.keyCache.get(key);
    if (cached !== undefined) return cached;
    const lower = key.toLowerCase();
    let drop = false;
    const prefix = this.headerPrefixes.find((p) => lower.startsWith(p));
    if (prefix !== undefined) drop = !this.headerAllow.has(lower.slice(prefix.length));
    else drop = this.dropKeys.some((re) => re.test(key));
    if (this.keyCache.size < MAX_KEY_CACHE) this.keyCache.set(key, drop);
    return drop;
  }

  /** True when a map under this key holds HTTP headers (`headers`), filtered by the allow list. */
  isHeaderMap(key: string): boolean {
    return this.headerMapKeys.has(key.toLowerCase());
  }

  /** True when a header of this name may be kept. */
  headerAllowed(name: string): boolean {
    return this.headerAllow.has(name.toLowerCase());
  }

  /**
   * The scrubbed string (the same string when nothing matched). `key` is the nearest map key, for
   * key-scoped rules (SQL); '' for names, messages and bodies.
   */
  scrubString(s: string, key = ''): string {
    if (s.length > MAX_CLEAN_LENGTH) return this.scrubUncached(s, key);
    // Values under a key-scoped rule's key (a query text) run more rules, so each such key has its
    // own set. A parameterised query repeats, so it hits.
    const clean = this.cleanScoped.get(key) ?? this.clean;
    if (clean.has(s)) return s;
    const out = this.scrubUncached(s, key);
    if (out === s) {
      if (clean.size >= MAX_CLEAN_CACHE) clean.clear();
      clean.add(s);
    }
    return out;
  }

  private scrubUncached(s: string, key: string): string {
    if (s.length > this.maxStringLength) {
      let cut = this.maxStringLength;
      const c = s.charCodeAt(cut - 1);
      if (c >= 0xd800 && c <= 0xdbff) cut--;
      s = s.slice(0, cut) + this.truncatedMarker;
    }
    s = this.applyPatterns(s, key);
    if (this.decodePercent && this.maxRounds > 0) s = this.scrubDecoded(s, key);
    return s;
  }

  private scrubDecoded(s: string, key: string): string {
    let cur = s;
    for (let round = 0; round < this.maxRounds; round++) {
      const hasPercent = cur.includes('%');
      const hasPlus = this.plusAsSpace && cur.includes('+') && cur.includes('=');
      if (!hasPercent && !hasPlus) return s;
      const decoded = hasPercent ? percentDecode(cur, false) : cur;
      if (decoded !== cur) {
        const out = this.applyPatterns(decoded, key);
        if (out !== decoded) return out;
      }
      if (hasPlus) {
        const withSpaces = percentDecode(cur, true);
        if (withSpaces !== cur && withSpaces !== decoded) {
          const out = this.applyPatterns(withSpaces, key);
          if (out !== withSpaces) return out;
        }
      }
      if (decoded === cur) return s;
      cur = decoded;
    }
    return s;
  }

  private applyPatterns(s: string, key: string): string {
    if (s.length < 3) return s;
    let digits = countDigits(s);
    // Rules sharing a hint regex (the key=value ones) sit next to each other: test it once.
    let lastHints: RegExp | undefined;
    let lastFound = false;
    for (const p of this.patterns) {
      if (p.keys !== undefined && !p.keys.has(key)) continue;
      if (digits < p.minDigits) continue;
      if (p.hints !== undefined) {
        if (p.hints !== lastHints) {
          lastHints = p.hints;
          lastFound = p.hints.test(s);
        }
        if (!lastFound) continue;
      }
      // test() first: most values that pass the prefilters still do not match, and test() builds
      // nothing and calls no replacer.
      p.re.lastIndex = 0;
      if (!p.re.test(s)) continue;
      p.re.lastIndex = 0;
      const out = s.replace(p.re, (...args: unknown[]) => {
        const match = args[0] as string;
        if (p.validate !== undefined && !p.validate(match)) return match;
        let text = '';
        for (const part of p.template)
          text += typeof part === 'number' ? ((args[part] as string | undefined) ?? '') : part;
        return text;
      });
      if (out !== s) {
        s = out;
        digits = countDigits(s);
        lastHints = undefined;
      }
    }
    return s;
  }

  /** A number under a coordinate key is rounded (2 decimals ~ 1 km); integers are left alone. */
  scrubNumber(n: number, key: string): number {
    if (Number.isInteger(n) || !Number.isFinite(n)) return n;
    for (const rule of this.numbers) if (rule.key.test(key)) return Math.round(n * rule.scale) / rule.scale;
    return n;
  }

  /**
   * A scrubbed copy of any value (the same object when nothing changed): strings scrubbed, secret
   * keys removed, Errors turned into {type, message, stack, cause}, depth capped by the marker.
   */
  scrubValue(value: unknown, key = '', depth = 1): unknown {
    if (typeof value === 'string') return this.scrubString(value, key);
    if (typeof value === 'number') return this.scrubNumber(value, key);
    if (value === null || typeof value !== 'object') return value;
    if (depth >= this.maxDepth) return this.depthMarker;
    if (value instanceof Uint8Array || value instanceof Date) return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const scrubbed = this.scrubValue(item, key, depth + 1);
        if (scrubbed !== item) {
          out ??= value.slice();
          out[i] = scrubbed;
        }
      }
      return out ?? value;
    }
    if (value instanceof Error) {
      const error: Record<string, unknown> = { type: value.name, message: value.message, stack: value.stack };
      if (value.cause !== undefined) error.cause = value.cause;
      return this.scrubMap(error, depth + 1, false, true);
    }
    return this.scrubMap(value as Record<string, unknown>, depth + 1, this.headerMapKeys.has(key.toLowerCase()), false);
  }

  /** Attributes (or any plain map): a scrubbed copy, or the same object when nothing changed. */
  scrubAttributes<T extends Record<string, unknown>>(attributes: T): T {
    return this.scrubMap(attributes, 1, false, false) as T;
  }

  private scrubMap(
    map: Record<string, unknown>,
    depth: number,
    headerMap: boolean,
    alwaysCopy: boolean,
  ): Record<string, unknown> {
    let out: Record<string, unknown> | undefined = alwaysCopy ? {} : undefined;
    let index = 0;
    const keys = Object.keys(map);
    for (const k of keys) {
      const v = map[k];
      const dropped = (headerMap && !this.headerAllow.has(k.toLowerCase())) || this.dropKey(k);
      const scrubbed = dropped ? undefined : this.scrubValue(v, k, depth);
      if (out === undefined && (dropped || scrubbed !== v)) {
        out = {};
        for (let i = 0; i < index; i++) out[keys[i] as string] = map[keys[i] as string];
      }
      if (out !== undefined && !dropped) out[k] = scrubbed;
      index++;
    }
    return out ?? map;
  }
}
