/**
 * The shape of pii/rules.yaml, the one rule set the SDK and the collector share (pii/README.md
 * documents every field). The SDK ships a generated copy (rules.generated.ts).
 */

export interface PiiExample {
  in: string;
  out: string;
}

export interface PiiPatternSpec {
  name: string;
  pattern: string;
  flags?: 'i';
  replace: string;
  hints?: string[];
  min_digits?: number;
  keys?: string[];
  validate?: 'luhn' | 'iban';
  whole_value?: boolean;
  examples?: PiiExample[];
}

export interface PiiRuleSpec {
  version: number;
  limits: { max_depth: number; max_string_bytes: number; depth_marker: string; truncated_marker: string };
  decode: { percent: boolean; plus_as_space: boolean; max_rounds: number };
  keys: {
    drop: Array<{ name: string; pattern: string }>;
    headers: { prefixes: string[]; map_keys: string[]; allow: string[] };
  };
  numbers: Array<{ name: string; key_pattern: string; decimals: number }>;
  patterns: PiiPatternSpec[];
  must_survive: string[];
}
