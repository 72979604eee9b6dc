// Writes the SDK's error-code table, generated from the registry in packages/node/src/errors.ts, into
// packages/node/README.md between <!-- errors-table:start --> and :end markers.
// Usage: node --import tsx scripts/gen-errors-table.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CONFIG_CODE_PREFIX, errors, REPORTED } from '../packages/node/src/errors.ts';

export const ERRORS_START = '<!-- errors-table:start -->';
export const ERRORS_END = '<!-- errors-table:end -->';
export const ERRORS_README = fileURLToPath(new URL('../packages/node/README.md', import.meta.url));

/** One row per code: every registered error, the per-option config family, then the stderr-only codes. */
export function renderErrorsTable(): string {
  const rows = [
    ...Object.values(errors).map((entry) => `| \`${entry.code}\` | thrown | ${entry.description} |`),
    `| \`${CONFIG_CODE_PREFIX}<OPTION>\` | thrown | an option is invalid (\`otlpEndpoint\` -> \`${CONFIG_CODE_PREFIX}OTLP_ENDPOINT\`); names where the value came from, what was expected and what came (secrets hidden) |`,
    ...Object.values(REPORTED).map((entry) => `| \`${entry.code}\` | stderr | ${entry.description} |`),
  ];
  return ['| code | how | when |', '| --- | --- | --- |', ...rows, ''].join('\n');
}

function bounds(readme: string): { start: number; end: number } {
  const start = readme.indexOf(ERRORS_START);
  const end = readme.indexOf(ERRORS_END);
  if (start === -1 || end < start) {
    throw new Error(`${ERRORS_README}: expected ${ERRORS_START} followed by ${ERRORS_END}`);
  }
  return { start: start + ERRORS_START.length, end };
}

/** The text between the markers, without the newline after the start marker. */
export function errorsSection(readme: string): string {
  const { start, end } = bounds(readme);
  return readme.slice(start, end).replace(/^\n/, '');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readme = readFileSync(ERRORS_README, 'utf8');
  const { start, end } = bounds(readme);
  const updated = `${readme.slice(0, start)}\n${renderErrorsTable()}${readme.slice(end)}`;
  if (updated === readme) console.log(`${ERRORS_README}: errors table is up to date`);
  else {
    writeFileSync(ERRORS_README, updated);
    console.log(`${ERRORS_README}: errors table regenerated`);
  }
}
