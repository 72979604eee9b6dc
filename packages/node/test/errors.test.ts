import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { ERRORS_README, errorsSection, renderErrorsTable } from '../../../scripts/gen-errors-table.ts';
import { DEFAULTS, resolveConfig } from '../src/config.ts';
import { configErrorCode, errors, REPORTED_CODES, SightlineError } from '../src/errors.ts';
import { init } from '../src/index.ts';
import { compilePiiRules } from '../src/pii/index.ts';
import { PII_RULES } from '../src/pii/rules.generated.ts';
import { discardLogs } from './log-capture.ts';

// The codes are a contract: callers branch on them. Changing this list is a breaking change.
const PINNED = {
  NOT_INITIALIZED: 'SIGHTLINE_NOT_INITIALIZED',
  CONFIG_PII_RULES: 'SIGHTLINE_CONFIG_PII_RULES',
  HEALTH_PROBE_NAME: 'SIGHTLINE_HEALTH_PROBE_NAME',
  HEALTH_PROBE_TIMEOUT: 'SIGHTLINE_HEALTH_PROBE_TIMEOUT',
  CATALOG_NAMESPACE: 'SIGHTLINE_CATALOG_NAMESPACE',
  CATALOG_LABEL_VALUES: 'SIGHTLINE_CATALOG_LABEL_VALUES',
  CATALOG_KIND: 'SIGHTLINE_CATALOG_KIND',
  CATALOG_DEFINITION: 'SIGHTLINE_CATALOG_DEFINITION',
  CATALOG_NOT_REGISTERED: 'SIGHTLINE_CATALOG_NOT_REGISTERED',
  CATALOG_CONFLICT: 'SIGHTLINE_CATALOG_CONFLICT',
};

function caught(run: () => unknown): SightlineError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof SightlineError, `expected a SightlineError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a throw');
}

describe('error registry', () => {
  it('holds exactly the pinned codes, each named after its entry', () => {
    const registered = Object.fromEntries(Object.entries(errors).map(([name, factory]) => [name, factory.code]));
    assert.deepEqual(registered, PINNED);
    // Never thrown, but printed on stderr and searched for like the rest.
    assert.deepEqual(REPORTED_CODES, [
      'SIGHTLINE_START_FAILED',
      'SIGHTLINE_CONFIG_OTEL_RESOURCE_ATTRIBUTES',
      'SIGHTLINE_CONFIG_REMOVED_OPTION',
    ]);
    for (const [name, code] of Object.entries(registered)) assert.equal(code, `SIGHTLINE_${name}`);
  });

  it('keeps every code unique, including the per-option config codes and the reported ones', () => {
    const configCodes = Object.keys(DEFAULTS).map(configErrorCode);
    const all = [...Object.values(PINNED), ...REPORTED_CODES, ...configCodes];
    assert.equal(new Set(all).size, all.length, all.filter((code, i) => all.indexOf(code) !== i).join(', '));
    for (const code of all) assert.match(code, /^SIGHTLINE_[A-Z0-9_]+$/);
    assert.equal(configErrorCode('otlpEndpoint'), 'SIGHTLINE_CONFIG_OTLP_ENDPOINT');
  });

  it('is listed in the README table it generates (node --import tsx scripts/gen-errors-table.ts)', () => {
    const table = renderErrorsTable();
    assert.equal(errorsSection(readFileSync(ERRORS_README, 'utf8')), table);
    for (const code of [...Object.values(PINNED), ...REPORTED_CODES])
      assert.ok(table.includes(`| \`${code}\` |`), code);
  });

  it('creates SightlineErrors whose message starts with the code and whose stack starts at the caller', () => {
    const error = errors.HEALTH_PROBE_NAME('Redis');
    assert.ok(error instanceof SightlineError && error instanceof Error);
    assert.equal(error.name, 'SightlineError');
    assert.equal(error.code, 'SIGHTLINE_HEALTH_PROBE_NAME');
    assert.equal(
      error.message,
      'SIGHTLINE_HEALTH_PROBE_NAME: probe name "Redis" must be lower-case letters, digits and _',
    );
    assert.doesNotMatch(error.stack?.split('\n')[1] ?? '', /errors\.ts/);
  });
});

describe('throw sites produce registered codes', () => {
  it('the SDK creates no error outside the registry', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.ts') && file !== 'errors.ts',
    );
    assert.ok(files.length > 20, `found ${files.length} source files`);
    const offenders = files.flatMap((file) =>
      readFileSync(join(src, file), 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${file}:${i + 1}`, line }))
        .filter(({ line }) => /\bnew \w*Error\(/.test(line)),
    );
    assert.deepEqual(offenders, [], 'throw through errors.ts (errors.<CODE>(...) or configError)');
  });

  it('an invalid option: SIGHTLINE_CONFIG_<OPTION>', () => {
    const error = caught(() => resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }));
    assert.equal(error.code, 'SIGHTLINE_CONFIG_OTLP_ENDPOINT');
    assert.match(error.message, /^SIGHTLINE_CONFIG_OTLP_ENDPOINT: invalid env OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('a PII rule that does not compile: SIGHTLINE_CONFIG_PII_RULES naming the rule', () => {
    const spec = structuredClone(PII_RULES);
    (spec.patterns.find((p) => p.name === 'jwt') as { pattern: string }).pattern = 'eyJ(';
    const error = caught(() => compilePiiRules(spec));
    assert.equal(error.code, errors.CONFIG_PII_RULES.code);
    assert.match(error.message, /^SIGHTLINE_CONFIG_PII_RULES: patterns rule "jwt": /);
  });

  it('a probe that overruns its timeout is aborted with SIGHTLINE_HEALTH_PROBE_TIMEOUT', async () => {
    const sightline = init({ enabled: false, logDestination: discardLogs() });
    let aborted: unknown;
    sightline.health.addReadinessProbe('slow', {
      timeoutMs: 20,
      check: ({ signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            resolve(undefined);
          });
        }),
    });
    const report = await sightline.health.ready();
    assert.equal(report.checks.slow?.reason, 'timeout');
    assert.ok(aborted instanceof SightlineError);
    assert.equal(aborted.code, 'SIGHTLINE_HEALTH_PROBE_TIMEOUT');
    assert.match(aborted.message, /probe timed out after 20 ms/);
    await sightline.shutdown();
  });

  it('a bad readiness probe name: SIGHTLINE_HEALTH_PROBE_NAME', async () => {
    const sightline = init({ enabled: false, logDestination: discardLogs() });
    const error = caught(() =>
      sightline.health.addReadinessProbe('Redis', { timeoutMs: 50, check: async () => undefined }),
    );
    assert.equal(error.code, 'SIGHTLINE_HEALTH_PROBE_NAME');
    await sightline.shutdown();
  });
});
