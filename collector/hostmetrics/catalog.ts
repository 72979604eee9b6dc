// The host metrics the collector's hostmetrics receiver emits (collector/otelcol.yaml), as the
// Prometheus series they become after remote-write, and the Node Exporter names users search for.
// One list, read by the README table generator (scripts/gen-metrics-table.ts), the contract check
// and collector/test/hostmetrics.test.ts, which finds every series here in a real Prometheus.
// Names were read from Prometheus fed by the v0.161.0 collector's remote-write exporter.

/** A scraper of the hostmetrics receiver, as configured in collector/otelcol.yaml. */
export type HostScraper = 'cpu' | 'memory' | 'load' | 'disk' | 'filesystem' | 'network' | 'paging' | 'processes';

export const HOST_SCRAPERS: readonly HostScraper[] = [
  'cpu',
  'memory',
  'load',
  'disk',
  'filesystem',
  'network',
  'paging',
  'processes',
];

/** Every host series carries this label (resource attribute `host.name`, set by `transform/host`). */
export const HOST_LABEL = 'host_name';

export interface HostSeries {
  scraper: HostScraper;
  /** OpenTelemetry metric name (semantic conventions `system.*`). */
  otel: string;
  /** Prometheus series name after remote-write. */
  series: string;
  kind: 'counter' | 'gauge';
  /** Labels besides `host_name`, with their values where they are a fixed set. */
  labels: string;
  /** When the series may legitimately be missing on a host. */
  onlyWhen?: string;
}

export const hostSeries: readonly HostSeries[] = [
  {
    scraper: 'cpu',
    otel: 'system.cpu.time',
    series: 'system_cpu_time_seconds_total',
    kind: 'counter',
    labels: '`state` = user, system, idle, wait, nice, interrupt, softirq, steal (summed over cores)',
  },
  {
    scraper: 'cpu',
    otel: 'system.cpu.logical.count',
    series: 'system_cpu_logical_count',
    kind: 'gauge',
    labels: '–',
  },
  {
    scraper: 'memory',
    otel: 'system.memory.usage',
    series: 'system_memory_usage_bytes',
    kind: 'gauge',
    labels:
      '`state` = used (MemTotal − MemAvailable), free, buffered, cached (includes SReclaimable), slab_reclaimable, slab_unreclaimable',
  },
  {
    scraper: 'memory',
    otel: 'system.memory.limit',
    series: 'system_memory_limit_bytes',
    kind: 'gauge',
    labels: '–',
  },
  {
    scraper: 'memory',
    otel: 'system.linux.memory.available',
    series: 'system_linux_memory_available_bytes',
    kind: 'gauge',
    labels: '–',
  },
  {
    scraper: 'load',
    otel: 'system.cpu.load_average.1m',
    series: 'system_cpu_load_average_1m',
    kind: 'gauge',
    labels: '–',
  },
  {
    scraper: 'load',
    otel: 'system.cpu.load_average.5m',
    series: 'system_cpu_load_average_5m',
    kind: 'gauge',
    labels: '–',
  },
  {
    scraper: 'load',
    otel: 'system.cpu.load_average.15m',
    series: 'system_cpu_load_average_15m',
    kind: 'gauge',
    labels: '–',
  },
  {
    scraper: 'disk',
    otel: 'system.disk.io',
    series: 'system_disk_io_bytes_total',
    kind: 'counter',
    labels: '`device`, `direction` = read, write',
  },
  {
    scraper: 'disk',
    otel: 'system.disk.operations',
    series: 'system_disk_operations_total',
    kind: 'counter',
    labels: '`device`, `direction`',
  },
  {
    scraper: 'disk',
    otel: 'system.disk.io_time',
    series: 'system_disk_io_time_seconds_total',
    kind: 'counter',
    labels: '`device`',
  },
  {
    scraper: 'disk',
    otel: 'system.disk.operation_time',
    series: 'system_disk_operation_time_seconds_total',
    kind: 'counter',
    labels: '`device`, `direction`',
  },
  {
    scraper: 'disk',
    otel: 'system.disk.weighted_io_time',
    series: 'system_disk_weighted_io_time_seconds_total',
    kind: 'counter',
    labels: '`device`',
  },
  {
    scraper: 'disk',
    otel: 'system.disk.merged',
    series: 'system_disk_merged_total',
    kind: 'counter',
    labels: '`device`, `direction`',
  },
  {
    scraper: 'disk',
    otel: 'system.disk.pending_operations',
    series: 'system_disk_pending_operations',
    kind: 'gauge',
    labels: '`device`',
  },
  {
    scraper: 'filesystem',
    otel: 'system.filesystem.usage',
    series: 'system_filesystem_usage_bytes',
    kind: 'gauge',
    labels: '`device`, `mountpoint`, `type`, `mode` = rw, ro, `state` = used, free, reserved',
  },
  {
    scraper: 'filesystem',
    otel: 'system.filesystem.inodes.usage',
    series: 'system_filesystem_inodes_usage',
    kind: 'gauge',
    labels: '`device`, `mountpoint`, `type`, `mode`, `state` = used, free',
  },
  {
    scraper: 'network',
    otel: 'system.network.io',
    series: 'system_network_io_bytes_total',
    kind: 'counter',
    labels: '`device`, `direction` = receive, transmit',
  },
  {
    scraper: 'network',
    otel: 'system.network.packets',
    series: 'system_network_packets_total',
    kind: 'counter',
    labels: '`device`, `direction`',
  },
  {
    scraper: 'network',
    otel: 'system.network.errors',
    series: 'system_network_errors_total',
    kind: 'counter',
    labels: '`device`, `direction`',
  },
  {
    scraper: 'network',
    otel: 'system.network.dropped',
    series: 'system_network_dropped_total',
    kind: 'counter',
    labels: '`device`, `direction`',
  },
  {
    scraper: 'network',
    otel: 'system.network.connections',
    series: 'system_network_connections',
    kind: 'gauge',
    labels: '`protocol` = tcp, `state` (ESTABLISHED, LISTEN, …)',
  },
  {
    scraper: 'paging',
    otel: 'system.paging.usage',
    series: 'system_paging_usage_bytes',
    kind: 'gauge',
    labels: '`device`, `state` = used, free',
    onlyWhen: 'the host has swap (a device in /proc/swaps)',
  },
  {
    scraper: 'paging',
    otel: 'system.paging.operations',
    series: 'system_paging_operations_total',
    kind: 'counter',
    labels: '`direction` = page_in, page_out, `type` = major (swap), minor (paging); pages × 4096',
  },
  {
    scraper: 'paging',
    otel: 'system.paging.faults',
    series: 'system_paging_faults_total',
    kind: 'counter',
    labels: '`type` = major, minor; faults × 4096',
  },
  {
    scraper: 'processes',
    otel: 'system.processes.count',
    series: 'system_processes_count',
    kind: 'gauge',
    labels: '`status` = running, blocked, sleeping, idle, … (process states)',
  },
  {
    scraper: 'processes',
    otel: 'system.processes.created',
    series: 'system_processes_created_total',
    kind: 'counter',
    labels: '–',
  },
];

/** A Node Exporter series and the PromQL that answers the same question over the host series. */
export interface NodeExporterMapping {
  node: string;
  promql: string;
  note?: string;
}

export const nodeExporterMappings: readonly NodeExporterMapping[] = [
  {
    node: 'node_cpu_seconds_total',
    promql: 'system_cpu_time_seconds_total',
    note: 'summed over cores (`sum without (cpu)` of the Node Exporter series; v0.161.0 leaves the per-core `cpu` attribute off); `mode` → `state`, iowait → `wait`, irq → `interrupt`',
  },
  { node: 'node_load1 / node_load5 / node_load15', promql: 'system_cpu_load_average_1m / _5m / _15m' },
  { node: 'node_memory_MemTotal_bytes', promql: 'system_memory_limit_bytes' },
  { node: 'node_memory_MemAvailable_bytes', promql: 'system_linux_memory_available_bytes' },
  { node: 'node_memory_MemFree_bytes', promql: 'system_memory_usage_bytes{state="free"}' },
  { node: 'node_memory_Buffers_bytes', promql: 'system_memory_usage_bytes{state="buffered"}' },
  {
    node: 'node_memory_Cached_bytes',
    promql: 'system_memory_usage_bytes{state="cached"}',
    note: 'plus SReclaimable (gopsutil counts it as cache)',
  },
  {
    node: 'node_memory_SReclaimable_bytes / node_memory_SUnreclaim_bytes',
    promql: 'system_memory_usage_bytes{state="slab_reclaimable"} / {state="slab_unreclaimable"}',
  },
  {
    node: 'node_memory_SwapTotal_bytes',
    promql: 'sum without (state) (system_paging_usage_bytes)',
    note: 'per swap device',
  },
  { node: 'node_memory_SwapFree_bytes', promql: 'system_paging_usage_bytes{state="free"}' },
  {
    node: 'node_filesystem_avail_bytes',
    promql: 'system_filesystem_usage_bytes{state="free"}',
    note: 'free = available to unprivileged users; root-only blocks are `reserved`',
  },
  { node: 'node_filesystem_size_bytes', promql: 'sum without (state) (system_filesystem_usage_bytes)' },
  {
    node: 'node_filesystem_free_bytes',
    promql: 'sum without (state) (system_filesystem_usage_bytes{state=~"free|reserved"})',
  },
  { node: 'node_filesystem_files', promql: 'sum without (state) (system_filesystem_inodes_usage)' },
  { node: 'node_filesystem_files_free', promql: 'system_filesystem_inodes_usage{state="free"}' },
  {
    node: 'node_filesystem_readonly',
    promql: 'system_filesystem_usage_bytes{mode="ro"}',
    note: 'label, not a 0/1 series',
  },
  { node: 'node_disk_read_bytes_total', promql: 'system_disk_io_bytes_total{direction="read"}' },
  { node: 'node_disk_written_bytes_total', promql: 'system_disk_io_bytes_total{direction="write"}' },
  { node: 'node_disk_reads_completed_total', promql: 'system_disk_operations_total{direction="read"}' },
  { node: 'node_disk_writes_completed_total', promql: 'system_disk_operations_total{direction="write"}' },
  {
    node: 'node_disk_read_time_seconds_total / node_disk_write_time_seconds_total',
    promql: 'system_disk_operation_time_seconds_total{direction="read"} / {direction="write"}',
  },
  { node: 'node_disk_io_time_seconds_total', promql: 'system_disk_io_time_seconds_total' },
  { node: 'node_disk_io_time_weighted_seconds_total', promql: 'system_disk_weighted_io_time_seconds_total' },
  {
    node: 'node_disk_reads_merged_total / node_disk_writes_merged_total',
    promql: 'system_disk_merged_total{direction="read"} / {direction="write"}',
  },
  { node: 'node_disk_io_now', promql: 'system_disk_pending_operations' },
  { node: 'node_network_receive_bytes_total', promql: 'system_network_io_bytes_total{direction="receive"}' },
  { node: 'node_network_transmit_bytes_total', promql: 'system_network_io_bytes_total{direction="transmit"}' },
  {
    node: 'node_network_receive_packets_total / node_network_transmit_packets_total',
    promql: 'system_network_packets_total{direction="receive"} / {direction="transmit"}',
  },
  {
    node: 'node_network_receive_errs_total / node_network_transmit_errs_total',
    promql: 'system_network_errors_total{direction="receive"} / {direction="transmit"}',
  },
  {
    node: 'node_network_receive_drop_total / node_network_transmit_drop_total',
    promql: 'system_network_dropped_total{direction="receive"} / {direction="transmit"}',
  },
  { node: 'node_netstat_Tcp_CurrEstab', promql: 'system_network_connections{protocol="tcp",state="ESTABLISHED"}' },
  {
    node: 'node_vmstat_pgfault / node_vmstat_pgmajfault',
    promql: 'sum without (type) (system_paging_faults_total) / 4096, system_paging_faults_total{type="major"} / 4096',
    note: 'gopsutil multiplies /proc/vmstat page counts by 4096',
  },
  {
    node: 'node_vmstat_pswpin / node_vmstat_pswpout',
    promql: 'system_paging_operations_total{type="major",direction="page_in" / "page_out"} / 4096',
    note: 'gopsutil multiplies /proc/vmstat page counts by 4096',
  },
  {
    node: 'node_procs_running / node_procs_blocked',
    promql: 'system_processes_count{status="running"} / {status="blocked"}',
  },
  { node: 'node_forks_total', promql: 'system_processes_created_total' },
  {
    node: 'count(node_cpu_seconds_total{mode="idle"})',
    promql: 'system_cpu_logical_count',
  },
  {
    node: 'up{job="node"}',
    promql: 'present_over_time(system_memory_usage_bytes[5m])',
    note: 'no scrape, so no `up`; alert `HostMetricsAbsent`',
  },
];
