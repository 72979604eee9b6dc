// Writes the README's spec-metric -> emitted-series table from Divan's metric catalogs
// (packages/demo/src/metrics), and the host-metrics tables from collector/hostmetrics/catalog.ts.
// Usage: npm run gen:metrics-table
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderHostMetricsTable } from '../collector/hostmetrics/table.ts';
import { divanMetricsTable } from '../packages/demo/src/metrics/table.ts';

export const START_MARKER = '<!-- metrics-table:start -->';
export const END_MARKER = '<!-- metrics-table:end -->';
export const HOST_START_MARKER = '<!-- host-metrics-table:start -->';
export const HOST_END_MARKER = '<!-- host-metrics-table:end -->';
export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));

/** A generated README section: the text between a start and an end marker. */
export interface Markers {
  start: string;
  end: string;
}
const SDK_MARKERS: Markers = { start: START_MARKER, end: END_MARKER };
export const HOST_MARKERS: Markers = { start: HOST_START_MARKER, end: HOST_END_MARKER };

function markerPositions(readme: string, markers: Markers): { start: number; end: number } {
  const start = readme.indexOf(markers.start);
  const end = readme.indexOf(markers.end);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md: expected ${markers.start} followed by ${markers.end}, found start=${start} end=${end}`);
  }
  return { start: start + markers.start.length, end };
}

/** The text between the markers, without the newline that follows the start marker. */
export function metricsSection(readme: string, markers: Markers = SDK_MARKERS): string {
  const { start, end } = markerPositions(readme, markers);
  return readme.slice(start, end).replace(/^\n/, '');
}

/** `readme` with the text between the markers replaced by `table`; nothing else changes. */
export function replaceMetricsSection(readme: string, table: string, markers: Markers = SDK_MARKERS): string {
  const { start, end } = markerPositions(readme, markers);
  return `${readme.slice(0, start)}\n${table}${readme.slice(end)}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readme = readFileSync(README_PATH, 'utf8');
  const updated = replaceMetricsSection(
    replaceMetricsSection(readme, divanMetricsTable()),
    renderHostMetricsTable(),
    HOST_MARKERS,
  );
  if (updated === readme) {
    console.log('README.md metrics tables are up to date');
  } else {
    writeFileSync(README_PATH, updated);
    console.log('README.md metrics tables regenerated');
  }
}
