/**
 * PII scrubbing with the rules shared with the collector (pii/rules.yaml; README "PII scrubbing").
 */

import { PII_RULES } from './rules.generated.js';
import { PiiRules } from './rules.js';
import type { PiiRuleSpec } from './spec.js';

export {
  logRecordScrubber,
  PiiLogRecordExporter,
  PiiMetricExporter,
  PiiSpanExporter,
  spanScrubber,
} from './exporters.js';
export { PiiRules } from './rules.js';
export type { PiiRuleSpec } from './spec.js';

let shipped: PiiRules | undefined;

/**
 * The rules shipped with this package, compiled on first use and then shared: the compiled rules
 * are immutable (plus a bounded key cache), and compiling them costs ~1 ms.
 * A rule that does not compile throws `SIGHTLINE_CONFIG_PII_RULES: <rule>: ...`.
 */
export function shippedPiiRules(): PiiRules {
  shipped ??= new PiiRules(PII_RULES);
  return shipped;
}

/** Compiles another rule set (tests, or a service with stricter rules). */
export function compilePiiRules(spec: PiiRuleSpec): PiiRules {
  return new PiiRules(spec);
}
