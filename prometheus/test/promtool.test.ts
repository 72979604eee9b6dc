// The Prometheus config and rules through promtool at the version compose ships (built by
// scripts/build-prom-tools.sh from scripts/versions.env): config and rule checks, every promtool
// unit-test file, and the test suite's own coverage: each alert fires in some case and stays
// silent in another.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { tempDir } from '@sightline/harness';
import { describe, it } from 'vitest';
import {
  alertCases,
  alertRules,
  prometheusDir,
  recordingRules,
  repoDir,
  ruleFiles,
  runTool,
  unitTestFiles,
} from './files.ts';

const PINNED = /^PROMETHEUS=(.+)$/m.exec(readFileSync(join(repoDir, 'scripts', 'versions.env'), 'utf8'))?.[1] ?? '';

/** Alerts that cannot have a silent case, each with why. */
const ALWAYS_FIRING: Record<string, string> = { Watchdog: 'fires by design so a broken alert path shows' };

describe('promtool', () => {
  it('is the version compose ships (scripts/versions.env)', () => {
    const { output } = runTool('promtool', ['--version']);
    assert.ok(PINNED.length > 0, 'PROMETHEUS in scripts/versions.env');
    assert.ok(output.startsWith(`promtool, version ${PINNED} `), output);
  });

  it('accepts prometheus.yml and the rule files it loads', () => {
    const { ok, output } = runTool('promtool', ['check', 'config', 'prometheus.yml']);
    assert.ok(ok, output);
    for (const file of ruleFiles) assert.match(output, new RegExp(`Checking ${relative(prometheusDir, file)}`), output);
  });

  it('accepts every rule file and counts its rules', () => {
    const { ok, output } = runTool('promtool', ['check', 'rules', ...ruleFiles]);
    assert.ok(ok, output);
    const counts = [...output.matchAll(/SUCCESS: (\d+) rules found/g)].map((match) => Number(match[1]));
    assert.equal(counts.length, ruleFiles.length, output);
    assert.equal(
      counts.reduce((sum, n) => sum + n, 0),
      alertRules().length + recordingRules().length,
    );
  });

  it('rejects a broken rule file and says why, in its own words', () => {
    const file = join(tempDir('broken-rules'), 'broken.yml');
    writeFileSync(
      file,
      ['groups:', '  - name: broken', '    rules:', '      - alert: Broken', '        expr: sum(rate(x[5m])', ''].join(
        '\n',
      ),
    );
    const { ok, output } = runTool('promtool', ['check', 'rules', file]);
    assert.equal(ok, false, output);
    assert.match(output, /FAILED/);
    assert.match(output, /unclosed left parenthesis/);
  });

  for (const file of unitTestFiles) {
    it(`passes the unit tests of rule-tests/${basename(file)}`, () => {
      const { ok, output } = runTool('promtool', ['test', 'rules', file]);
      assert.ok(ok, output);
      assert.match(output, /SUCCESS/);
    });
  }
});

describe('promtool unit-test coverage', () => {
  const cases = alertCases();

  for (const rule of alertRules()) {
    const name = rule.alert as string;
    it(`${name} has a case where it fires and one where it stays silent`, () => {
      const own = cases.filter((c) => c.alertname === name);
      assert.ok(
        own.some((c) => c.fires),
        `no promtool case expects ${name} to fire`,
      );
      if (name in ALWAYS_FIRING) return;
      assert.ok(
        own.some((c) => !c.fires),
        `no promtool case expects ${name} to stay silent (exp_alerts: [])`,
      );
    });
  }

  it('tests no alert that the rules do not define', () => {
    const defined = new Set(alertRules().map((rule) => rule.alert));
    assert.deepEqual(
      [...new Set(cases.map((c) => c.alertname))].filter((name) => !defined.has(name)),
      [],
    );
  });
});
