import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { init, type Sightline } from '../src/index.js';
import { compilePiiRules, PiiRules, shippedPiiRules } from '../src/pii/index.js';
import { PII_RULES } from '../src/pii/rules.generated.js';
import type { PiiRuleSpec } from '../src/pii/spec.js';

const root = join(import.meta.dirname, '..', '..', '..');
const yamlSpec = (): PiiRuleSpec => parse(readFileSync(join(root, 'pii', 'rules.yaml'), 'utf8')) as PiiRuleSpec;
const clone = (): PiiRuleSpec => structuredClone(PII_RULES);

describe('shared PII rules in the SDK', () => {
  const rules = shippedPiiRules();

  it('ships exactly pii/rules.yaml (scripts/gen-pii-rules.ts regenerates it)', () => {
    expect(JSON.stringify(PII_RULES)).toBe(JSON.stringify(yamlSpec()));
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'gen-pii-rules.ts'), '--check'], {
      cwd: root,
    });
  });

  it('turns every rule example into its expected output, and a second pass changes nothing', () => {
    for (const pattern of PII_RULES.patterns) {
      expect(pattern.examples?.length ?? 0, `${pattern.name} has no example`).toBeGreaterThan(0);
      const key = pattern.keys?.[0] ?? '';
      for (const example of pattern.examples ?? []) {
        const out = rules.scrubString(example.in, key);
        expect(out, `${pattern.name}: ${example.in}`).toBe(example.out);
        expect(rules.scrubString(out, key), `${pattern.name} not idempotent`).toBe(out);
      }
    }
  });

  it('leaves every look-alike unchanged, raw and encoded in a query string', () => {
    expect(rules.mustSurvive.length).toBeGreaterThanOrEqual(20);
    for (const value of rules.mustSurvive) {
      for (const key of ['', 'message', 'http.route', 'order.id']) expect(rules.scrubString(value, key)).toBe(value);
      const plus = `note=${value.replaceAll(' ', '+')}`;
      expect(rules.scrubString(plus, 'url.query')).toBe(plus);
      const encoded = `q=${encodeURIComponent(value)}`;
      expect(rules.scrubString(encoded, 'url.query')).toBe(encoded);
    }
  });

  it('catches percent-encoded, plus-encoded and double-encoded secrets', () => {
    const cases: Array<[string, string]> = [
      ['/invite?to=maria.gonzalez%40example.com&room=12', 'maria.gonzalez'],
      ['/invite?to=j.smith%2Bbilling%40corp.example.org', 'billing'],
      ['/search?q=call+%2B44+20+7946+0958+please', '7946'],
      ['/nearby?lat%3D41.0082376%26lon%3D28.9783589', '0082376'],
      ['next=%2Fcb%3Faccess_token%3Dk8Jd93mQpL0zXv7Rt2Yw', 'k8Jd93mQpL0zXv7Rt2Yw'],
      ['double=maria%2540example.com', 'maria'],
      ['card=4111%201111%201111%201111', '1111 1111'],
      ['msg=SSN+123-45-6789+on+file', '6789'],
    ];
    for (const [input, secret] of cases) {
      const out = rules.scrubString(input, 'url.full');
      expect(out.includes(secret) || out.includes(encodeURIComponent(secret)), `${input} -> ${out}`).toBe(false);
    }
  });

  it('scrubs nested maps, arrays and Error causes, drops secret keys and unknown headers', () => {
    const cause = new Error('db at 198.51.100.23 refused');
    const err = new Error('invite to maria.gonzalez@example.com failed', { cause });
    const input = {
      user: { profile: { contact: ['call +44 20 7946 0958'], password: 'Tr1cky-N0-Pattern' } },
      err,
      headers: { 'content-type': 'application/json', 'x-user-email': 'olu@example.ng' },
      'http.request.header.x-debug': ['anything'],
      'http.request.header.user-agent': ['curl/8.5.0'],
      'geo.lat': 41.0082376,
      count: 3,
    };
    const out = rules.scrubAttributes(input as Record<string, unknown>);
    const text = JSON.stringify(out);
    for (const leak of ['7946', 'Tr1cky', 'maria', '100.23', 'olu@', 'anything'])
      expect(text.includes(leak), `${leak} in ${text}`).toBe(false);
    expect(text).toContain('198.51.0.0/16');
    expect(text).toContain('curl/8.5.0');
    expect(text).toContain('application/json');
    expect((out as Record<string, unknown>)['geo.lat']).toBe(41.01);
    expect((out as Record<string, unknown>).count).toBe(3);
    // clean input comes back as the same object: no copy on the hot path
    const clean = { 'http.route': '/api/orders/:orderId', 'http.response.status_code': 200 };
    expect(rules.scrubAttributes(clean)).toBe(clean);
  });

  it('bounds a 10 MB string and 10,000-deep nesting in time and memory', () => {
    const big = `${'a@b '.repeat((10 << 20) / 4)}maria.gonzalez@example.com`;
    let deep: Record<string, unknown> = { leaf: 'maria.gonzalez@example.com' };
    for (let i = 0; i < 10_000; i++) deep = i % 2 ? { m: deep } : { a: [deep] };
    const before = process.memoryUsage().heapUsed;
    const start = performance.now();
    const outBig = rules.scrubString(big);
    const outDeep = rules.scrubValue(deep);
    const ms = performance.now() - start;
    expect(outBig.length).toBeLessThanOrEqual(rules.maxStringLength + 32);
    expect(outBig.endsWith('[TRUNCATED]')).toBe(true);
    expect(JSON.stringify(outDeep)).toContain('[TRUNCATED_DEPTH]');
    expect(JSON.stringify(outDeep)).not.toContain('maria');
    expect(ms).toBeLessThan(5_000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 << 20);
  });

  it('refuses a rule set with a bad rule, naming the rule', () => {
    const bad = (edit: (spec: PiiRuleSpec) => void) => {
      const spec = clone();
      edit(spec);
      return () => compilePiiRules(spec);
    };
    expect(
      bad((s) => {
        (s.patterns.find((p) => p.name === 'jwt') as { pattern: string }).pattern = 'eyJ(';
      }),
    ).toThrow(/SIGHTLINE_CONFIG_PII_RULES: patterns rule "jwt": /);
    expect(
      bad((s) => {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the rules' group syntax
        (s.patterns.find((p) => p.name === 'ipv4') as { replace: string }).replace = '${1}.${3}.0.0/16';
      }),
    ).toThrow(/patterns rule "ipv4": replace: \$\{3\}/);
    expect(
      bad((s) => {
        (s.patterns.find((p) => p.name === 'card-number') as { validate: string }).validate = 'lunh';
      }),
    ).toThrow(/patterns rule "card-number": validate/);
    expect(
      bad((s) => {
        (s.keys.drop[0] as { pattern: string }).pattern = '(';
      }),
    ).toThrow(/keys.drop rule "secret-or-personal-key"/);
    expect(() => new PiiRules(clone())).not.toThrow();
  });

  it('init() refuses to start with a bad rule, naming it, and exports nothing', async () => {
    const spec = clone();
    (spec.patterns.find((p) => p.name === 'jwt') as { pattern: string }).pattern = 'eyJ(';
    const spans = new InMemorySpanExporter();
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let sightline: Sightline | undefined;
    try {
      sightline = init({ serviceName: 'bad-rules', environment: 'test', exporters: { spans, piiRules: spec } });
    } finally {
      process.stderr.write = write;
    }
    sightline.tracer.startSpan('maria.gonzalez@example.com').end();
    await sightline.shutdown();
    expect(written.join('')).toMatch(/SIGHTLINE_START_FAILED: SIGHTLINE_CONFIG_PII_RULES: patterns rule "jwt": /);
    expect(spans.getFinishedSpans()).toEqual([]);
  });
});
