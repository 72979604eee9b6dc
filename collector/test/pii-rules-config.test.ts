/**
 * A PII rules file that does not parse, or a rule that does not compile, stops the real collector
 * (validate and start-up) with a message naming the rule.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  collectorBinary,
  collectorConfigPath,
  piiRulesPath,
  startProcess,
  tempDir,
  validateCollectorConfig,
} from '@sightline/harness';
import { describe, expect, it } from 'vitest';

const rules = readFileSync(piiRulesPath, 'utf8');

function writeRules(text: string): string {
  const path = join(tempDir('pii-rules'), 'rules.yaml');
  writeFileSync(path, text);
  return path;
}

describe('PII rules file errors stop the collector, naming the rule', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'a regex that does not compile',
      rules.replace("pattern: 'eyJ[A-Za-z0-9_-]{5,}", "pattern: 'eyJ(A-Za-z0-9_-]{5,}"),
      /patterns rule "jwt": pattern: error parsing regexp/,
    ],
    [
      'a look-ahead, which RE2 lacks',
      rules.replace("pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b'", "pattern: '(?=\\d)\\d{3}'"),
      /patterns rule "us-ssn"/,
    ],
    [
      'a replacement naming a missing group',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the rules' group references
      rules.replace("replace: '${1}.${2}.0.0/16'", "replace: '${1}.${3}.0.0/16'"),
      /patterns rule "ipv4": replace: \$\{3\}/,
    ],
    ['YAML that does not parse', `${rules}\n  - [unclosed\n`, /pii rules .*does not parse/],
  ];
  for (const [name, text, expected] of cases) {
    it(`validate fails on ${name}`, () => {
      expect(text).not.toBe(rules);
      const result = validateCollectorConfig(collectorConfigPath('otelcol.yaml'), {
        SIGHTLINE_PII_RULES: writeRules(text),
      });
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(expected);
    });
  }

  it('start-up fails too, and the process exits with the rule named', async () => {
    const bad = writeRules(rules.replace('    validate: luhn\n', '    validate: lunh\n'));
    const proc = startProcess({
      name: 'collector-bad-rules',
      command: collectorBinary(),
      args: ['--config', collectorConfigPath('otelcol.yaml')],
      env: { ...process.env, SIGHTLINE_PII_RULES: bad, SIGHTLINE_STORAGE_DIR: tempDir('storage') },
    });
    const code = await Promise.race([
      proc.exited(),
      new Promise((resolve) => setTimeout(() => resolve('running'), 30_000)),
    ]);
    if (code === 'running') await proc.stop();
    expect(code).not.toBe('running');
    expect(code).not.toBe(0);
    expect(proc.logs()).toMatch(/patterns rule "card-number": validate: want luhn or iban, got "lunh"/);
  });

  it('the repository rules validate', () => {
    const result = validateCollectorConfig(collectorConfigPath('otelcol.yaml'));
    expect(result.ok, result.output).toBe(true);
  });
});
