// Writes the `init()` options table, generated from packages/node/src/options.ts, into the SDK README
// and the root README's env-var section, between <!-- options-table:start --> and :end markers.
// Usage: npm run gen:options-table
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderOptionsTable } from '../packages/node/src/options.ts';

export const OPTIONS_START = '<!-- options-table:start -->';
export const OPTIONS_END = '<!-- options-table:end -->';

/** Every README that carries the table. */
export const OPTIONS_READMES = [
  fileURLToPath(new URL('../packages/node/README.md', import.meta.url)),
  fileURLToPath(new URL('../README.md', import.meta.url)),
];

function positions(readme: string, file: string): { start: number; end: number } {
  const start = readme.indexOf(OPTIONS_START);
  const end = readme.indexOf(OPTIONS_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`${file}: expected ${OPTIONS_START} followed by ${OPTIONS_END}, found start=${start} end=${end}`);
  }
  return { start: start + OPTIONS_START.length, end };
}

/** The text between the markers, without the newline that follows the start marker. */
export function optionsSection(readme: string, file = 'README'): string {
  const { start, end } = positions(readme, file);
  return readme.slice(start, end).replace(/^\n/, '');
}

/** `readme` with the text between the markers replaced by `table`; nothing else changes. */
export function replaceOptionsSection(readme: string, table: string, file = 'README'): string {
  const { start, end } = positions(readme, file);
  return `${readme.slice(0, start)}\n${table}${readme.slice(end)}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const table = renderOptionsTable();
  for (const file of OPTIONS_READMES) {
    const readme = readFileSync(file, 'utf8');
    const updated = replaceOptionsSection(readme, table, file);
    if (updated === readme) {
      console.log(`${file}: options table is up to date`);
    } else {
      writeFileSync(file, updated);
      console.log(`${file}: options table regenerated`);
    }
  }
}
