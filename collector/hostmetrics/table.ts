// The README's host-metrics tables (emitted series, then Node Exporter names), generated from
// catalog.ts by `npm run gen:metrics-table` between the host-metrics-table markers.
import { HOST_LABEL, type HostSeries, hostSeries, nodeExporterMappings } from './catalog.ts';

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const code = (text: string): string => `\`${text}\``;
const row = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;

function seriesRow(entry: HostSeries): string {
  const note = entry.onlyWhen === undefined ? '' : `only when ${entry.onlyWhen}`;
  return row([entry.scraper, code(entry.otel), code(entry.series), entry.kind, entry.labels, note]);
}

export function renderHostMetricsTable(): string {
  const lines = [
    'Generated from `collector/hostmetrics/catalog.ts` by `npm run gen:metrics-table`; a test fails when it is',
    `stale, and \`collector/test/hostmetrics.test.ts\` finds every series in Prometheus. Every series also carries`,
    `${code(HOST_LABEL)} (no \`service_name\`: a host is not a service).`,
    '',
    '| Scraper | OpenTelemetry metric | Emitted series | Kind | Labels | Note |',
    '| --- | --- | --- | --- | --- | --- |',
    ...hostSeries.map(seriesRow),
    '',
    'Node Exporter names and the query that answers the same question here:',
    '',
    '| Node Exporter | Sightline (hostmetrics) | Note |',
    '| --- | --- | --- |',
    ...nodeExporterMappings.map((mapping) => row([code(mapping.node), code(mapping.promql), mapping.note ?? ''])),
  ];
  return `${lines.join('\n')}\n`;
}
