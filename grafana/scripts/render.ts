import { dashboards } from './dashboards.ts';
import { buildDashboard } from './kit.ts';

/** The exact text of every dashboard file, keyed by file name (what gen-dashboards writes). */
export function renderDashboards(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [file, spec] of Object.entries(dashboards))
    files[file] = `${JSON.stringify(buildDashboard(spec), null, 2)}\n`;
  return files;
}
