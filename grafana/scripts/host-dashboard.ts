// The "Host" dashboard: CPU, load, memory, filesystems, disk and network of every host, from the
// collector's hostmetrics receiver (series in collector/hostmetrics/catalog.ts, label host_name).
// collector/test/hostmetrics.test.ts runs every expression here on a Prometheus fed by the real
// collector and requires data from each.
import { type DashboardSpec, type PanelSpec, prom, SEL, serviceVariables, type Target } from './kit.ts';

const RATE = '$__rate_interval';
const H = 'host_name=~"$host"';
/** gopsutil reports /proc/vmstat page counts multiplied by 4096 (pages to bytes); hostmetrics passes them on. */
const PAGE = '4096';
/** The trend window of "days until full", the same as the HostFilesystemPredictedFull alert's. */
const TREND = '6h';

const ts = (title: string, targets: Target[], extra: Partial<PanelSpec> = {}): PanelSpec => ({
  title,
  type: 'timeseries',
  targets,
  ...extra,
});
const stat = (title: string, targets: Target[], extra: Partial<PanelSpec> = {}): PanelSpec => ({
  title,
  type: 'stat',
  targets,
  w: 6,
  h: 5,
  ...extra,
});

/** Per-second rate of a host counter, summed by `by`. */
const rate = (series: string, by: string, extra = '') => `sum by (${by}) (rate(${series}{${H}${extra}}[${RATE}]))`;

/** Share of CPU time neither idle nor waiting for I/O (the HostCPUSaturated definition). */
const cpuBusy = `1 - ${rate('system_cpu_time_seconds_total', 'host_name', ', state=~"idle|wait"')} / ${rate('system_cpu_time_seconds_total', 'host_name')}`;

/** Used share of each filesystem; reserved blocks count as used, as for a non-root writer. */
const FS_BY = 'host_name, mountpoint';
const fsFree = `sum by (${FS_BY}) (system_filesystem_usage_bytes{${H}, state="free"})`;
const fsUsedRatio = `1 - ${fsFree} / sum by (${FS_BY}) (system_filesystem_usage_bytes{${H}})`;
/** Days until free space is 0 at the 6-hour trend; 365 when it is not shrinking. */
const fsDaysLeft = `clamp_max(${fsFree} / clamp_min(-sum by (${FS_BY}) (deriv(system_filesystem_usage_bytes{${H}, state="free"}[${TREND}])), 0) / 86400, 365)`;

export const hostDashboard: DashboardSpec = {
  uid: 'sightline-host',
  title: 'Host',
  description:
    'CPU, load, memory, filesystems, disk and network of every host running a Sightline collector (hostmetrics receiver, label host_name). The OTLP-native stand-in for a Node Exporter dashboard.',
  tags: ['host', 'infrastructure'],
  variables: [
    ...serviceVariables,
    { name: 'host', label: 'Host', query: 'label_values(system_memory_usage_bytes, host_name)', allValue: '.+' },
  ],
  links: [
    { title: 'Backend Overview', uid: 'sightline-backend-overview' },
    { title: 'Collector Pipeline Health', uid: 'sightline-collector' },
  ],
  items: [
    stat('CPU busy', [prom(cpuBusy, '{{host_name}}')], { unit: 'percentunit', thresholds: [[0.9, 'red']] }),
    stat(
      'Memory available',
      [
        prom(
          `max by (host_name) (system_linux_memory_available_bytes{${H}}) / max by (host_name) (system_memory_limit_bytes{${H}})`,
          '{{host_name}}',
        ),
      ],
      {
        unit: 'percentunit',
        thresholds: [
          [0, 'red'],
          [0.1, 'orange'],
          [0.2, 'green'],
        ],
      },
    ),
    stat('Fullest filesystem', [prom(`max by (host_name) (${fsUsedRatio})`, '{{host_name}}')], {
      unit: 'percentunit',
      thresholds: [
        [0.8, 'orange'],
        [0.9, 'red'],
      ],
    }),
    stat(
      'Load per core (1 m)',
      [
        prom(
          `max by (host_name) (system_cpu_load_average_1m{${H}}) / max by (host_name) (system_cpu_logical_count{${H}})`,
          '{{host_name}}',
        ),
      ],
      { thresholds: [[1, 'orange']] },
    ),

    { row: 'CPU and load' },
    ts(
      'CPU by state',
      [
        prom(
          `${rate('system_cpu_time_seconds_total', 'host_name, state', ', state!="idle"')} / on (host_name) group_left () ${rate('system_cpu_time_seconds_total', 'host_name')}`,
          '{{host_name}} {{state}}',
        ),
      ],
      {
        unit: 'percentunit',
        stacked: true,
        min: 0,
        max: 1,
        description: 'Share of all cores per state (idle left out). High `steal`: a noisy neighbour on the hypervisor.',
      },
    ),
    ts(
      'Load average',
      [
        prom(`system_cpu_load_average_1m{${H}}`, '{{host_name}} 1m'),
        prom(`system_cpu_load_average_5m{${H}}`, '{{host_name}} 5m'),
        prom(`system_cpu_load_average_15m{${H}}`, '{{host_name}} 15m'),
        prom(`system_cpu_logical_count{${H}}`, '{{host_name}} cores'),
      ],
      { description: 'Runnable and uninterruptible threads; above the core count, work waits.' },
    ),

    { row: 'Memory' },
    ts(
      'Memory used and available',
      [
        prom(`system_memory_usage_bytes{${H}, state="used"}`, '{{host_name}} used'),
        prom(`system_linux_memory_available_bytes{${H}}`, '{{host_name}} available'),
        prom(
          `sum by (host_name) (system_memory_usage_bytes{${H}, state=~"cached|buffered"})`,
          '{{host_name}} page cache',
        ),
        prom(`system_memory_limit_bytes{${H}}`, '{{host_name}} total'),
      ],
      { unit: 'bytes', min: 0 },
    ),
    ts(
      'Paging',
      [
        prom(
          `${rate('system_paging_faults_total', 'host_name', ', type="major"')} / ${PAGE}`,
          '{{host_name}} major faults',
        ),
        prom(
          `${rate('system_paging_operations_total', 'host_name, direction', ', type="major"')} / ${PAGE}`,
          '{{host_name}} swap {{direction}}',
        ),
      ],
      {
        unit: 'ops',
        description:
          'Major faults read pages from disk; pages swapped in and out mean memory is short. The series count pages x 4096 (gopsutil), hence the division.',
      },
    ),

    { row: 'Filesystems' },
    {
      title: 'Filesystem use',
      type: 'bargauge',
      targets: [prom(fsUsedRatio, '{{host_name}} {{mountpoint}}')],
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: [
        [0.8, 'orange'],
        [0.9, 'red'],
      ],
      description: 'Used share of each filesystem for a non-root writer (root-reserved blocks count as used).',
    },
    {
      title: 'Days until full (6 h trend)',
      type: 'bargauge',
      targets: [prom(fsDaysLeft, '{{host_name}} {{mountpoint}}')],
      unit: 'd',
      min: 0,
      max: 365,
      thresholds: [
        [0, 'red'],
        [1, 'orange'],
        [7, 'green'],
      ],
      description:
        'Free space over its shrink rate in the last 6 hours (deriv). 365 means a year or more, or not shrinking. The HostFilesystemPredictedFull alert uses the same trend.',
    },
    ts(
      'Inodes used',
      [
        prom(
          `1 - sum by (${FS_BY}) (system_filesystem_inodes_usage{${H}, state="free"}) / sum by (${FS_BY}) (system_filesystem_inodes_usage{${H}})`,
          '{{host_name}} {{mountpoint}}',
        ),
      ],
      { unit: 'percentunit', min: 0, max: 1, w: 24, h: 6 },
    ),

    { row: 'Disk I/O' },
    ts(
      'Disk throughput',
      [
        prom(
          rate('system_disk_io_bytes_total', 'host_name, device, direction'),
          '{{host_name}} {{device}} {{direction}}',
        ),
      ],
      {
        unit: 'Bps',
        w: 8,
      },
    ),
    ts(
      'Disk operations',
      [
        prom(
          rate('system_disk_operations_total', 'host_name, device, direction'),
          '{{host_name}} {{device}} {{direction}}',
        ),
      ],
      {
        unit: 'iops',
        w: 8,
      },
    ),
    ts(
      'Disk busy',
      [prom(rate('system_disk_io_time_seconds_total', 'host_name, device'), '{{host_name}} {{device}}')],
      {
        unit: 'percentunit',
        w: 8,
        description: 'Share of time the device had I/O in flight (node_disk_io_time_seconds_total).',
      },
    ),

    { row: 'Network' },
    ts(
      'Network throughput',
      [
        prom(
          rate('system_network_io_bytes_total', 'host_name, device, direction'),
          '{{host_name}} {{device}} {{direction}}',
        ),
      ],
      { unit: 'Bps', w: 8 },
    ),
    ts(
      'Network errors and drops',
      [
        prom(
          rate('system_network_errors_total', 'host_name, device, direction'),
          '{{host_name}} {{device}} {{direction}} errors',
        ),
        prom(
          rate('system_network_dropped_total', 'host_name, device, direction'),
          '{{host_name}} {{device}} {{direction}} dropped',
        ),
      ],
      { unit: 'pps', w: 8 },
    ),
    ts(
      'TCP connections',
      [prom(`sum by (host_name, state) (system_network_connections{${H}, protocol="tcp"})`, '{{host_name}} {{state}}')],
      {
        w: 8,
      },
    ),

    { row: 'Processes and services' },
    ts(
      'Processes',
      [
        prom(`sum by (host_name, status) (system_processes_count{${H}})`, '{{host_name}} {{status}}'),
        prom(rate('system_processes_created_total', 'host_name'), '{{host_name}} created/s'),
      ],
      { description: 'Running and blocked (waiting for I/O) processes, and forks per second.' },
    ),
    ts(
      'Requests per second by service',
      [
        prom(
          `sum by (service_name) (rate(http_server_request_duration_seconds_count{${SEL}}[${RATE}]))`,
          '{{service_name}}',
        ),
      ],
      {
        unit: 'reqps',
        description: 'The services (filtered by $service and $env) next to the load they put on the hosts.',
      },
    ),
  ],
};
