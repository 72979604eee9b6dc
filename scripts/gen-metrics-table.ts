// Writes the README's spec-metric -> emitted-series table from the SDK's metric catalog.
// Usage: npm run gen:metrics-table
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderMetricsTable } from '../packages/node/src/catalog/table.ts';

export const START_MARKER = '<!-- metrics-table:start -->';
export const END_MARKER = '<!-- metrics-table:end -->';
export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));

function markerPositions(readme: string): { start: number; end: number } {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md: expected ${START_MARKER} followed by ${END_MARKER}, found start=${start} end=${end}`);
  }
  return { start: start + START_MARKER.length, end };
}

/** The text between the markers, without the newline that follows the start marker. */
export function metricsSection(readme: string): string {
  const { start, end } = markerPositions(readme);
  return readme.slice(start, end).replace(/^\n/, '');
}

/** `readme` with the text between the markers replaced by `table`; nothing else changes. */
export function replaceMetricsSection(readme: string, table: string): string {
  const { start, end } = markerPositions(readme);
  return `${readme.slice(0, start)}\n${table}${readme.slice(end)}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readme = readFileSync(README_PATH, 'utf8');
  const updated = replaceMetricsSection(readme, renderMetricsTable());
  if (updated === readme) {
    console.log('README.md metrics table is up to date');
  } else {
    writeFileSync(README_PATH, updated);
    console.log('README.md metrics table regenerated');
  }
}
