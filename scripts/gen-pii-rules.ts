/**
 * Generates packages/node/src/pii/rules.generated.ts from pii/rules.yaml, so the SDK ships the same
 * rules as the collector without parsing YAML at start-up. `--check` exits 1 when the generated
 * file is stale, compared as data (a test does the same). Run: node --import tsx scripts/gen-pii-rules.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const rulesPath = join(root, 'pii', 'rules.yaml');
export const generatedPath = join(root, 'packages', 'node', 'src', 'pii', 'rules.generated.ts');

/** The generated module's text for the given YAML. */
export function generate(yamlText: string): string {
  const spec = parse(yamlText) as unknown;
  return [
    '// Generated from pii/rules.yaml by scripts/gen-pii-rules.ts (node --import tsx scripts/gen-pii-rules.ts). Do not edit:',
    '// edit pii/rules.yaml and regenerate; a test fails when this file is stale.',
    '// biome-ignore-all lint/suspicious/noTemplateCurlyInString: replacements hold group references, not templates',
    "import type { PiiRuleSpec } from './spec.js';",
    '',
    `export const PII_RULES: PiiRuleSpec = ${JSON.stringify(spec, null, 2)};`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generate(readFileSync(rulesPath, 'utf8'));
  if (process.argv.includes('--check')) {
    // Compared as data, so a formatter may reflow the generated file.
    const { PII_RULES } = (await import(generatedPath)) as { PII_RULES: unknown };
    if (JSON.stringify(PII_RULES) !== JSON.stringify(parse(readFileSync(rulesPath, 'utf8')))) {
      console.error(`${generatedPath} is stale: run node --import tsx scripts/gen-pii-rules.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(generatedPath, text);
    // The repository's formatter owns the layout (lint checks it).
    const biome = join(root, 'node_modules', '.bin', 'biome');
    if (existsSync(biome)) execFileSync(biome, ['format', '--write', generatedPath], { stdio: 'ignore' });
    console.log(`wrote ${generatedPath}`);
  }
}
