// Shared by the prometheus/ tests: where the files are, how to run promtool and amtool (the
// builds of scripts/build-prom-tools.sh, the versions compose ships), and the parsed rule and
// promtool test files.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promToolBinary } from '@sightline/harness';
import { parse } from 'yaml';

export const prometheusDir = fileURLToPath(new URL('..', import.meta.url));
export const repoDir = join(prometheusDir, '..');
export const rulesDir = join(prometheusDir, 'rules');
export const unitTestsDir = join(prometheusDir, 'rule-tests');

/** What a command printed, and whether it exited 0. */
export interface ToolResult {
  ok: boolean;
  output: string;
}

/** Runs promtool or amtool; the output keeps the tool's own words for assertion messages. */
export function runTool(tool: 'promtool' | 'amtool', args: string[], cwd = prometheusDir): ToolResult {
  const command = promToolBinary(tool);
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error !== undefined) return { ok: false, output: `${command} did not run: ${result.error.message}` };
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleFile {
  groups: Array<{ name: string; interval?: string; rules: Rule[] }>;
}

export const readYaml = <T>(file: string): T => parse(readFileSync(file, 'utf8')) as T;

export const ruleFiles = readdirSync(rulesDir)
  .filter((name) => name.endsWith('.yml'))
  .map((name) => join(rulesDir, name));
export const unitTestFiles = readdirSync(unitTestsDir)
  .filter((name) => name.endsWith('.yml'))
  .map((name) => join(unitTestsDir, name));

export const alertRules = (): Rule[] =>
  readYaml<RuleFile>(join(rulesDir, 'alerts.yml')).groups.flatMap((group) => group.rules.filter((rule) => rule.alert));
export const recordingRules = (): Rule[] =>
  ruleFiles.flatMap((file) => readYaml<RuleFile>(file).groups.flatMap((g) => g.rules.filter((rule) => rule.record)));

/** One `alert_rule_test` entry of a promtool test file. */
export interface AlertCase {
  file: string;
  test: string;
  alertname: string;
  fires: boolean;
}

/** Every alert_rule_test of every promtool test file; an omitted exp_alerts means "silent", as in promtool. */
export function alertCases(): AlertCase[] {
  type UnitTests = {
    tests: Array<{ name?: string; alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
  };
  return unitTestFiles.flatMap((file) =>
    readYaml<UnitTests>(file).tests.flatMap((test) =>
      (test.alert_rule_test ?? []).map((check) => ({
        file,
        test: test.name ?? '(unnamed)',
        alertname: check.alertname,
        fires: (check.exp_alerts ?? []).length > 0,
      })),
    ),
  );
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (only `##` ones with `level` 2). */
export function markdownAnchors(file: string, level?: number): Set<string> {
  const heading = level === undefined ? /^#{1,6} / : new RegExp(`^#{${level}} `);
  const headings = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => heading.test(line))
    .map((line) => line.replace(/^#+ /, ''));
  return new Set(headings.map(githubSlug));
}
