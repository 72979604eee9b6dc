// The host-metric names agree everywhere without running anything: the README tables are what
// collector/hostmetrics/table.ts generates, docs/CONTRACT.md names every series, otelcol.yaml runs
// exactly the catalog's scrapers, and the Host dashboard, rules and alerts read only catalog series.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectorConfigPath, repoRoot } from '@sightline/harness';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboardPromQL } from '../../grafana/test/promql.ts';
import { HOST_MARKERS, metricsSection, README_PATH } from '../../scripts/gen-metrics-table.ts';
import { HOST_SCRAPERS, hostSeries } from '../hostmetrics/catalog.ts';
import { renderHostMetricsTable } from '../hostmetrics/table.ts';

const known = new Set(hostSeries.map((entry) => entry.series));
/** `system_*` series names in a text, without recording-rule names (they contain colons). */
const seriesIn = (text: string): string[] => [...text.matchAll(/(?<![:\w])system_[a-z0-9_]+/g)].map((m) => m[0]);

describe('host metric names', () => {
  it('the README host tables are the generated ones (run `npm run gen:metrics-table`)', () => {
    expect(metricsSection(readFileSync(README_PATH, 'utf8'), HOST_MARKERS)).toBe(renderHostMetricsTable());
  });

  it('docs/CONTRACT.md names every host series', () => {
    const contract = readFileSync(join(repoRoot, 'docs', 'CONTRACT.md'), 'utf8');
    expect(hostSeries.filter((entry) => !contract.includes(`\`${entry.series}\``)).map((e) => e.series)).toEqual([]);
    expect(seriesIn(contract).filter((name) => !known.has(name))).toEqual([]);
  });

  it('otelcol.yaml runs the catalog’s scrapers in the metrics/host pipeline', () => {
    const config = parse(readFileSync(collectorConfigPath('otelcol.yaml'), 'utf8')) as {
      receivers: { host_metrics: { scrapers: Record<string, unknown> } };
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
    };
    expect(Object.keys(config.receivers.host_metrics.scrapers).sort()).toEqual([...HOST_SCRAPERS].sort());
    const host = config.service.pipelines['metrics/host'];
    expect(host?.receivers).toEqual(['host_metrics']);
    expect(host?.exporters).toEqual(['prometheus_remote_write']);
  });

  it('the Host dashboard, the recording rules and the alerts read only catalog series', () => {
    const dashboard = dashboardPromQL().filter((query) => query.dashboard === 'host.json');
    expect(dashboard.length).toBeGreaterThan(0);
    const rules = ['recording.yml', 'alerts.yml']
      .map((file) => readFileSync(join(repoRoot, 'prometheus', 'rules', file), 'utf8'))
      .join('\n');
    const read = [...dashboard.flatMap((query) => seriesIn(query.raw)), ...seriesIn(rules)];
    expect(read.length).toBeGreaterThan(10);
    expect([...new Set(read.filter((name) => !known.has(name)))]).toEqual([]);
  });

  it('every Node Exporter mapping points at catalog series', async () => {
    const { nodeExporterMappings } = await import('../hostmetrics/catalog.ts');
    for (const mapping of nodeExporterMappings) {
      const names = seriesIn(mapping.promql);
      expect(names.length, mapping.node).toBeGreaterThan(0);
      // "_5m / _15m" shorthands name the family of the first series.
      for (const name of names) expect(known.has(name), `${mapping.node} -> ${name}`).toBe(true);
    }
  });
});
