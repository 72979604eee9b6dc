import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import {
  OPTIONS_END,
  OPTIONS_READMES,
  OPTIONS_START,
  optionsSection,
  replaceOptionsSection,
} from '../../../scripts/gen-options-table.ts';
import { DEFAULTS, ENV_VARS, OPTIONS, optionsSchema, renderOptionsTable } from '../src/options.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('the options table', () => {
  for (const file of OPTIONS_READMES) {
    it(`is the one options.ts generates in ${relative(ROOT, file)} (run \`npm run gen:options-table\` after changing an option)`, () => {
      assert.equal(optionsSection(readFileSync(file, 'utf8'), file), renderOptionsTable());
    });
  }

  it('has one row per option, naming its env vars, type and default', () => {
    const rows = renderOptionsTable()
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    assert.deepEqual(
      rows.map((row) => row.split(' | ')[0]?.replace(/^\| `|`$/g, '')),
      Object.keys(OPTIONS),
    );
    const row = (name: string) => rows.find((line) => line.startsWith(`| \`${name}\` |`)) ?? '';
    assert.equal(
      row('environment'),
      '| `environment` | `DEPLOYMENT_ENVIRONMENT`, then `deployment.environment.name` or `deployment.environment` in `OTEL_RESOURCE_ATTRIBUTES`, then `NODE_ENV` | string | `development` | `deployment.environment.name`; `production` or `prod` turn on the production rules |',
    );
    assert.match(row('exportBatchSize'), /\| `OBS_EXPORT_BATCH_SIZE` \| integer ≥ 1 \| `512` \|/);
    assert.match(row('adminToken'), /\| unset \(ops locked\) \|/);
  });

  it('generates DEFAULTS, ENV_VARS and the schema from the same entries', () => {
    for (const [name, definition] of Object.entries(OPTIONS)) {
      assert.equal((DEFAULTS as Record<string, unknown>)[name], (definition as { default?: unknown }).default, name);
      assert.ok(optionsSchema.shape[name as keyof typeof optionsSchema.shape], `${name} is in the schema`);
      assert.deepEqual(
        ENV_VARS[name as keyof typeof ENV_VARS],
        [
          ...definition.env,
          ...(('envAfterResourceAttributes' in definition && definition.envAfterResourceAttributes) || []),
        ],
        name,
      );
    }
    assert.equal('serviceName' in DEFAULTS, false, 'the service name is computed, not a fixed default');
    assert.deepEqual(ENV_VARS.environment, ['DEPLOYMENT_ENVIRONMENT', 'NODE_ENV']);
  });

  it('names no application: no Divan setting and no Divan default', () => {
    const table = renderOptionsTable();
    assert.doesNotMatch(table, /divan/i);
    for (const env of ['REDIS_URL', 'DATABASE_URL', 'S3_ENDPOINT', 'JWT_SECRET', 'HEALTH_MIN_MIGRATION']) {
      assert.ok(!table.includes(env), `${env} is the service's setting, not the SDK's`);
    }
  });

  it('replaces only the text between the markers', () => {
    const readme = `# Title\n\n${OPTIONS_START}\nold table\n${OPTIONS_END}\n\n## After\n`;
    const updated = replaceOptionsSection(readme, '| new |\n');
    assert.equal(updated, `# Title\n\n${OPTIONS_START}\n| new |\n${OPTIONS_END}\n\n## After\n`);
    assert.equal(replaceOptionsSection(updated, '| new |\n'), updated);
    assert.throws(
      () => replaceOptionsSection('# no markers\n', 'x', 'X.md'),
      /X\.md: expected <!-- options-table:start -->/,
    );
  });
});
