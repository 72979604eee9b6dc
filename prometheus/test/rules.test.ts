// What every alert must carry for the person it reaches, and how the recording rules are named.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { alertRules, githubSlug, markdownAnchors, prometheusDir, recordingRules } from './files.ts';

const SEVERITIES = new Set(['critical', 'warning', 'info']);
const RUNBOOK = join(prometheusDir, 'RUNBOOK.md');
const RUNBOOK_PREFIX = 'prometheus/RUNBOOK.md#';

describe('alert rules', () => {
  const anchors = markdownAnchors(RUNBOOK);

  for (const rule of alertRules()) {
    it(`${rule.alert} has a severity, a family, a summary, a description and a runbook section`, () => {
      const { labels = {}, annotations = {} } = rule;
      assert.ok(SEVERITIES.has(labels.severity ?? ''), `severity ${labels.severity} is not one of ${[...SEVERITIES]}`);
      // alertmanager.yml inhibits warnings by family: an alert without one would be inhibited by any critical.
      assert.match(labels.family ?? '', /^[a-z-]+$/, 'family label');
      assert.ok((annotations.summary ?? '').length > 0, 'summary');
      assert.ok((annotations.description ?? '').length > 0, 'description');
      const url = annotations.runbook_url ?? '';
      assert.ok(url.startsWith(RUNBOOK_PREFIX), `runbook_url ${url} should start with ${RUNBOOK_PREFIX}`);
      const anchor = url.slice(RUNBOOK_PREFIX.length);
      assert.equal(anchor, githubSlug(rule.alert as string), 'the anchor is the section named after the alert');
      assert.ok(anchors.has(anchor), `RUNBOOK.md has no section #${anchor}`);
    });
  }

  it('names every alert once, and the runbook has no section for an alert that is gone', () => {
    const names = alertRules().map((rule) => githubSlug(rule.alert as string));
    assert.equal(new Set(names).size, names.length, 'duplicate alert names');
    const sections = [...markdownAnchors(RUNBOOK, 2)];
    assert.deepEqual(
      sections.filter((anchor) => !names.includes(anchor)),
      [],
    );
  });

  it('keeps labels to the bounded set: no label templated from a value', () => {
    for (const rule of alertRules()) {
      for (const [key, value] of Object.entries(rule.labels ?? {})) {
        assert.doesNotMatch(value, /\{\{/, `${rule.alert} label ${key}`);
      }
    }
  });
});

describe('recording rules', () => {
  it('follow level:metric:operations and are recorded once', () => {
    const names = recordingRules().map((rule) => rule.record as string);
    for (const name of names) assert.match(name, /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/, name);
    assert.equal(new Set(names).size, names.length, 'duplicate recording rule');
  });
});
