// Writes grafana/dashboards/*.json from grafana/scripts/dashboards.ts. Grafana loads the
// committed JSON; grafana/test/dashboards.test.ts fails when it is not what this script writes.
// Run: node --import tsx grafana/scripts/gen-dashboards.ts
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from './render.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboards');
const files = renderDashboards();
// A dashboard removed from the source must not linger as a stale file.
for (const existing of readdirSync(outDir)) {
  if (existing.endsWith('.json') && !(existing in files)) unlinkSync(join(outDir, existing));
}
for (const [file, text] of Object.entries(files)) writeFileSync(join(outDir, file), text);
console.log(`wrote ${Object.keys(files).length} dashboards to ${outDir}`);
