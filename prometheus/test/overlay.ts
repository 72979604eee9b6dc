// The production rules, sped up for an end-to-end run: every recording rule evaluated every
// `interval`, and the chosen alerts with a short `for:`. Expressions, labels and annotations stay
// exactly those of rules/*.yml, so what reaches the receiver is what production would send.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type RuleFile, readYaml, rulesDir } from './files.ts';

/** Options for {@link writeRuleOverlay}. */
export interface RuleOverlayOptions {
  /** Directory for the overlay file. */
  dir: string;
  /** Alert names to keep; the other alerts are left out. */
  alerts: string[];
  /** `for:` of the kept alerts that have one. @default '2s' */
  forDuration?: string;
  /** Evaluation interval of every group. @default '1s' */
  interval?: string;
}

/** Writes the overlay and returns its path; throws when an alert name is not in rules/alerts.yml. */
export function writeRuleOverlay(options: RuleOverlayOptions): string {
  const { dir, alerts, forDuration = '2s', interval = '1s' } = options;
  const recording = readYaml<RuleFile>(join(rulesDir, 'recording.yml'));
  const alerting = readYaml<RuleFile>(join(rulesDir, 'alerts.yml'));
  const kept = alerting.groups.flatMap((group) => group.rules.filter((rule) => alerts.includes(rule.alert ?? '')));
  const missing = alerts.filter((name) => !kept.some((rule) => rule.alert === name));
  if (missing.length > 0) throw new Error(`rule overlay: no alert named ${missing.join(', ')} in rules/alerts.yml`);
  const overlay: RuleFile = {
    groups: [
      ...recording.groups.map((group) => ({ ...group, interval })),
      {
        name: 'e2e-alerts',
        interval,
        rules: kept.map((rule) => (rule.for === undefined ? rule : { ...rule, for: forDuration })),
      },
    ],
  };
  const file = join(dir, 'overlay.yml');
  writeFileSync(file, stringify(overlay));
  return file;
}
