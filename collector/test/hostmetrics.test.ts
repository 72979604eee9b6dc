// Host metrics end to end on this machine: the real collector with the production config
// (hostmetrics receiver, 2 s interval) remote-writes to a real Prometheus running the production
// rules. Every series of collector/hostmetrics/catalog.ts arrives; values match /proc, /sys and
// statfs; the filters drop pseudo filesystems and virtual interfaces; every Host-dashboard
// expression returns data. Bad input: a root_path that does not exist is a config error naming
// root_path; one without /proc makes each scraper that reads a file there log its own error while
// OTLP metrics still flow; a mount point that cannot be read is logged while the other filesystems
// are still reported; and otelcol.no-hostmetrics.yaml keeps every host series out of Prometheus.
import { mkdirSync, readFileSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  type Collector,
  collectorConfigPath,
  countersRequest,
  type Pipeline,
  type Prometheus,
  postOtlpJson,
  repoRoot,
  startCollector,
  startPipeline,
  startPrometheus,
  tempDir,
  unixNanos,
  validateCollectorConfig,
  waitFor,
} from '@sightline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardPromQL } from '../../grafana/test/promql.ts';
import { HOST_SCRAPERS, hostSeries } from '../hostmetrics/catalog.ts';

const INTERVAL = '2s';
const RULE_FILES = ['recording.yml', 'alerts.yml'].map((file) => join(repoRoot, 'prometheus', 'rules', file));
/** What the collector names this machine: the kernel hostname, as transform/host reads it. */
const HOST = readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();
const hasSwap = readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;

// ---- /proc readers ------------------------------------------------------------------------

/** `/proc/meminfo` in bytes. */
function meminfo(): Record<string, number> {
  const result: Record<string, number> = {};
  for (const line of readFileSync('/proc/meminfo', 'utf8').split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?: kB)?$/.exec(line);
    if (match) result[match[1] as string] = Number(match[2]) * (line.endsWith('kB') ? 1024 : 1);
  }
  return result;
}

/** The counters compared as "between a reading before and a reading after". */
interface Counters {
  /** CPU seconds of all cores in the states hostmetrics reports (user … steal, from USER_HZ ticks). */
  cpu: number;
  /** Processes created since boot (`processes` in /proc/stat). */
  forks: number;
  /** Page faults since boot (`pgfault` in /proc/vmstat). */
  pgfault: number;
  /** Received bytes per interface (/proc/net/dev). */
  rxBytes: Record<string, number>;
  /** Read bytes per block device (/proc/diskstats, 512-byte sectors). */
  diskReadBytes: Record<string, number>;
}

function readCounters(): Counters {
  const stat = readFileSync('/proc/stat', 'utf8');
  const cpu = (/^cpu (.*)$/m.exec(stat)?.[1] ?? '').trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest is already inside user).
  const ticks = cpu.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const vmstat = readFileSync('/proc/vmstat', 'utf8');
  const rxBytes: Record<string, number> = {};
  for (const line of readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (rest !== undefined) rxBytes[(name as string).trim()] = Number(rest.trim().split(/\s+/)[0]);
  }
  const diskReadBytes: Record<string, number> = {};
  for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length > 6) diskReadBytes[fields[2] as string] = Number(fields[5]) * 512;
  }
  return {
    cpu: ticks / 100,
    forks: Number(/^processes (\d+)$/m.exec(stat)?.[1]),
    pgfault: Number(/^pgfault (\d+)$/m.exec(vmstat)?.[1]),
    rxBytes,
    diskReadBytes,
  };
}

/** One OTLP counter from a made-up service, to show that the service pipeline still works. */
async function sendProbeCounter(collector: Collector, service: string, value: number): Promise<void> {
  const now = Date.now();
  await postOtlpJson(
    collector.otlpHttpUrl,
    'metrics',
    countersRequest({ 'service.name': service, 'deployment.environment.name': 'test' }, [
      { name: 'hostmetrics.probe', points: [{ attributes: {}, value }], startMs: now - 60_000, timeMs: now },
    ]),
  );
}

/** Cumulative http.server.request.duration histogram points, so the dashboard's service panel has data. */
async function sendRequestHistogram(collector: Collector, count: number): Promise<void> {
  const now = Date.now();
  const point = {
    attributes: [{ key: 'http.route', value: { stringValue: '/probe' } }],
    startTimeUnixNano: unixNanos(now - 120_000),
    timeUnixNano: unixNanos(now),
    count: String(count),
    sum: count * 0.01,
    bucketCounts: [String(count), '0'],
    explicitBounds: [0.1],
  };
  await postOtlpJson(collector.otlpHttpUrl, 'metrics', {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'host-probe' } },
            { key: 'deployment.environment.name', value: { stringValue: 'test' } },
          ],
        },
        scopeMetrics: [
          {
            scope: { name: 'hostmetrics-test' },
            metrics: [
              {
                name: 'http.server.request.duration',
                unit: 's',
                histogram: { aggregationTemporality: 2, dataPoints: [point] },
              },
            ],
          },
        ],
      },
    ],
  });
}

const firstValue = (samples: Array<{ value: [number, string] }>): number => Number(samples[0]?.value[1]);

// ---- the production config on this machine ------------------------------------------------

describe('hostmetrics receiver with the production config on this machine', () => {
  let pipeline: Pipeline;
  let prometheus: Prometheus;
  let before: Counters;
  const sel = `host_name="${HOST}"`;

  beforeAll(async () => {
    before = readCounters();
    pipeline = await startPipeline({
      collectorEnv: { SIGHTLINE_HOSTMETRICS_INTERVAL: INTERVAL },
      prometheus: { ruleFiles: RULE_FILES },
    });
    prometheus = pipeline.prometheus;
    await sendRequestHistogram(pipeline.collector, 10);
    const wanted = hostSeries.filter((entry) => entry.onlyWhen === undefined || hasSwap);
    await waitFor(
      async () => {
        for (const { series } of wanted) if ((await prometheus.series(`${series}{${sel}}`)).length === 0) return false;
        return true;
      },
      { what: 'every host series in Prometheus', timeoutMs: 90_000, intervalMs: 1000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${pipeline.logs()}`);
    });
  }, 150_000);

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('writes every series of the catalog, from each of the eight scrapers, named by host_name', async () => {
    const missing: string[] = [];
    for (const entry of hostSeries) {
      const found = await prometheus.series(`${entry.series}{${sel}}`);
      if (found.length === 0 && (entry.onlyWhen === undefined || hasSwap)) missing.push(entry.series);
    }
    expect(missing).toEqual([]);
    expect(new Set(hostSeries.map((entry) => entry.scraper))).toEqual(new Set(HOST_SCRAPERS));
    // No resource attributes are left to become a target_info without a job.
    expect(await prometheus.series('target_info{job=""}')).toEqual([]);
  });

  it('drops pseudo filesystems, system mount points and virtual interfaces', async () => {
    const filesystems = await prometheus.series(`system_filesystem_usage_bytes{${sel}}`);
    expect(filesystems.some((labels) => labels.mountpoint === '/')).toBe(true);
    for (const labels of filesystems) {
      expect(labels.type).not.toMatch(
        /^(tmpfs|overlay|proc|sysfs|cgroup2?|devtmpfs|devpts|mqueue|debugfs|securityfs)$/,
      );
      expect(labels.mountpoint).not.toMatch(/^\/(proc|sys|dev|run)($|\/)/);
    }
    const interfaces = new Set((await prometheus.series(`system_network_io_bytes_total{${sel}}`)).map((l) => l.device));
    expect(interfaces.size).toBeGreaterThan(0);
    for (const device of interfaces) expect(device).not.toMatch(/^(lo|veth.*|docker.*|br-.*|ifb.*)$/);
  });

  it('reports memory as /proc/meminfo does', async () => {
    const mem = meminfo();
    const total = mem.MemTotal as number;
    expect(await prometheus.queryScalar(`system_memory_limit_bytes{${sel}}`)).toBe(total);
    // MemAvailable moves while others work on this machine: within 5% of MemTotal.
    const available = await prometheus.queryScalar(`system_linux_memory_available_bytes{${sel}}`);
    expect(Math.abs(available - (meminfo().MemAvailable as number))).toBeLessThan(0.05 * total);
    // v0.161.0 counts used as MemTotal - MemAvailable (its UseLinuxMemAvailable gate is on).
    const used = await prometheus.queryScalar(`system_memory_usage_bytes{${sel}, state="used"}`);
    const now = meminfo();
    expect(Math.abs(used - (total - (now.MemAvailable as number)))).toBeLessThan(0.05 * total);
    const free = await prometheus.queryScalar(`system_memory_usage_bytes{${sel}, state="free"}`);
    expect(Math.abs(free - (meminfo().MemFree as number))).toBeLessThan(0.05 * total);
  });

  it('reports load averages as /proc/loadavg does', async () => {
    const [load1, , load15] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number) as [number, number, number];
    // The sample is up to one interval old; the 1-minute average moves fast on a busy machine.
    expect(Math.abs((await prometheus.queryScalar(`system_cpu_load_average_1m{${sel}}`)) - load1)).toBeLessThan(
      Math.max(2, 0.3 * load1),
    );
    expect(Math.abs((await prometheus.queryScalar(`system_cpu_load_average_15m{${sel}}`)) - load15)).toBeLessThan(
      0.1 * load15 + 0.3,
    );
  });

  it('counts the CPUs nproc and /proc/cpuinfo count, and CPU time lies between two /proc/stat readings', async () => {
    const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length;
    const logical = await prometheus.queryScalar(`system_cpu_logical_count{${sel}}`);
    expect(logical).toBe(cpus);
    // nproc (CPUs this process may use) is at most the logical count; equal on this machine.
    expect(availableParallelism()).toBeLessThanOrEqual(logical);
    // Summed over cores: v0.161.0 leaves the per-core `cpu` attribute off by default.
    expect(await prometheus.series(`system_cpu_time_seconds_total{${sel}, cpu!=""}`)).toEqual([]);
    const seconds = await prometheus.queryScalar(`sum(system_cpu_time_seconds_total{${sel}})`);
    const after = readCounters();
    expect(seconds).toBeGreaterThanOrEqual(before.cpu - 0.01);
    expect(seconds).toBeLessThanOrEqual(after.cpu + 0.01);
  });

  it('reports the size and free space of / as statfs does', async () => {
    const fs = statfsSync('/');
    const size = await prometheus.queryScalar(`sum(system_filesystem_usage_bytes{${sel}, mountpoint="/"})`);
    expect(size).toBe(fs.blocks * fs.bsize);
    const free = await prometheus.queryScalar(`system_filesystem_usage_bytes{${sel}, mountpoint="/", state="free"}`);
    // Others write files meanwhile: within 1% of the size.
    expect(Math.abs(free - statfsSync('/').bavail * fs.bsize)).toBeLessThan(0.01 * size);
  });

  it('reports forks, page faults, network and disk counters between two /proc readings', async () => {
    const forks = await prometheus.queryScalar(`system_processes_created_total{${sel}}`);
    // gopsutil multiplies /proc/vmstat's page counts by 4096 (pages to bytes) before hostmetrics
    // reports them as counts, so the series is pgfault * 4096 exactly.
    const faults = (await prometheus.queryScalar(`sum(system_paging_faults_total{${sel}})`)) / 4096;
    const rx = await prometheus.query(`system_network_io_bytes_total{${sel}, direction="receive"}`);
    const disk = await prometheus.query(`system_disk_io_bytes_total{${sel}, direction="read"}`);
    const after = readCounters();
    expect(forks).toBeGreaterThanOrEqual(before.forks);
    expect(forks).toBeLessThanOrEqual(after.forks);
    expect(faults).toBeGreaterThanOrEqual(before.pgfault);
    expect(faults).toBeLessThanOrEqual(after.pgfault);
    expect(rx.length).toBeGreaterThan(0);
    for (const sample of rx) {
      const device = sample.metric.device as string;
      expect(Number(sample.value[1])).toBeGreaterThanOrEqual(before.rxBytes[device] as number);
      expect(Number(sample.value[1])).toBeLessThanOrEqual(after.rxBytes[device] as number);
    }
    expect(disk.length).toBeGreaterThan(0);
    for (const sample of disk) {
      const device = sample.metric.device as string;
      expect(Number(sample.value[1])).toBeGreaterThanOrEqual(before.diskReadBytes[device] as number);
      expect(Number(sample.value[1])).toBeLessThanOrEqual(after.diskReadBytes[device] as number);
    }
  });

  it('returns data for every expression of the Host dashboard', async () => {
    const expressions = dashboardPromQL().filter((query) => query.dashboard === 'host.json');
    expect(expressions.length).toBeGreaterThan(20);
    let requests = 20;
    const empty = async () => {
      const without: string[] = [];
      for (const { panel, expr } of expressions)
        if ((await prometheus.query(expr)).length === 0) without.push(`${panel}: ${expr}`);
      return without;
    };
    // Rates need two samples within the 1 m window: keep the request histogram growing meanwhile.
    await waitFor(
      async () => {
        requests += 10;
        await sendRequestHistogram(pipeline.collector, requests);
        return (await empty()).length === 0;
      },
      {
        what: 'data for every Host-dashboard expression',
        timeoutMs: 60_000,
        intervalMs: 2000,
      },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\nwithout data:\n${(await empty()).join('\n')}`);
    });
  }, 90_000);

  it('records the host rules the alerts use, matching /proc/meminfo and statfs', async () => {
    // The sightline-host group runs every 30 s.
    const available = await waitFor(
      async () => (await prometheus.query(`host:system_memory_available:ratio{${sel}}`))[0],
      { what: 'host:system_memory_available:ratio', timeoutMs: 70_000, intervalMs: 1000 },
    );
    const mem = meminfo();
    expect(Math.abs(Number(available.value[1]) - (mem.MemAvailable as number) / (mem.MemTotal as number))).toBeLessThan(
      0.05,
    );
    const root = await prometheus.query(`host_mountpoint:system_filesystem_avail:ratio{${sel}, mountpoint="/"}`);
    const fs = statfsSync('/');
    expect(Math.abs(firstValue(root) - fs.bavail / fs.blocks)).toBeLessThan(0.01);
    // A rate needs two CPU-time samples, so the busy ratio appears one scrape interval after the
    // memory ratio (which needs one): wait for it rather than read it once.
    const busy = await waitFor(async () => (await prometheus.query(`host:system_cpu_busy:ratio_rate5m{${sel}}`))[0], {
      what: 'host:system_cpu_busy:ratio_rate5m',
      timeoutMs: 70_000,
      intervalMs: 1000,
    });
    expect(Number(busy.value[1])).toBeGreaterThanOrEqual(0);
    expect(Number(busy.value[1])).toBeLessThanOrEqual(1);
    // This host reports, so it is not absent.
    const absent = (await prometheus.api<Array<{ labels: Record<string, string> }>>('/api/v1/alerts')) as unknown as {
      alerts: Array<{ labels: Record<string, string> }>;
    };
    expect(absent.alerts.filter((alert) => alert.labels.alertname === 'HostMetricsAbsent')).toEqual([]);
  }, 160_000);
});

// ---- bad input ----------------------------------------------------------------------------

describe('hostmetrics with a bad root_path, an unreadable mount, or switched off', () => {
  let prometheus: Prometheus;
  const closed = '127.0.0.1:9';

  beforeAll(async () => {
    prometheus = await startPrometheus({ name: 'prometheus-hostmetrics-bad' });
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  const start = (name: string, env: NodeJS.ProcessEnv, extraConfig: string[] = []) =>
    startCollector({
      name,
      config: [collectorConfigPath('otelcol.yaml'), ...extraConfig],
      env: {
        SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: prometheus.remoteWriteUrl,
        SIGHTLINE_TEMPO_ENDPOINT: closed,
        SIGHTLINE_LOKI_OTLP_ENDPOINT: `http://${closed}`,
        SIGHTLINE_BATCH_TIMEOUT: '200ms',
        SIGHTLINE_HOSTMETRICS_INTERVAL: '1s',
        ...env,
      },
    });

  it('refuses a root_path that does not exist, naming root_path', () => {
    const missing = join(tempDir('hostfs'), 'no-such-dir');
    const result = validateCollectorConfig(collectorConfigPath('otelcol.yaml'), {
      SIGHTLINE_HOSTMETRICS_ROOT_PATH: missing,
    });
    expect(result.ok).toBe(false);
    expect(result.output).toContain(
      `receivers::host_metrics: invalid root_path: stat ${missing}: no such file or directory`,
    );
  });

  it('with a root_path holding no /proc, six scrapers log their error and OTLP metrics still flow', async () => {
    const empty = tempDir('hostfs-empty');
    const collector = await start('collector-empty-hostfs', {
      SIGHTLINE_HOSTMETRICS_ROOT_PATH: empty,
      SIGHTLINE_HOST_NAME: 'empty-hostfs',
    });
    try {
      await sendProbeCounter(collector, 'empty-hostfs-probe', 7);
      await waitFor(
        async () => (await prometheus.queryScalar('hostmetrics_probe_total{service_name="empty-hostfs-probe"}')) === 7,
        { what: 'the OTLP counter in Prometheus', timeoutMs: 30_000, intervalMs: 250 },
      );
      // Each scraper names itself and what it could not read under root_path. Two cannot fail this
      // way (upstream gopsutil): cpu ignores an unreadable /proc/stat and reports no CPU time, and
      // load comes from the sysinfo system call, not from root_path.
      const failing: Array<[string, RegExp]> = [
        ['memory', /proc\/meminfo: no such file/],
        ['disk', /proc\/diskstats: no such file/],
        ['filesystem', /proc\/self\/mounts: no such file/],
        ['network', /proc\/net\/dev: no such file/],
        ['paging', /proc\/vmstat: no such file/],
        ['processes', /proc: no such file/],
      ];
      const errors = await waitFor(
        () => {
          const lines = collector
            .logs()
            .split('\n')
            .filter((line) => line.includes('Error scraping metrics') && line.includes(empty));
          const seen = failing.filter(([scraper]) => lines.some((line) => line.includes(`"scraper": "${scraper}"`)));
          return seen.length === failing.length ? lines : false;
        },
        // The collector's logger samples repeated messages (10 per 10 s), so some may take a tick.
        { what: 'a scrape error from each of the six scrapers', timeoutMs: 45_000, intervalMs: 500 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${collector.logs()}`);
      });
      for (const [scraper, file] of failing) {
        const line = errors.find((l) => l.includes(`"scraper": "${scraper}"`)) as string;
        expect(line, scraper).toMatch(file);
      }
      expect((await fetch(collector.healthUrl)).status).toBe(200);
      expect(await prometheus.series('system_cpu_time_seconds_total{host_name="empty-hostfs"}')).toEqual([]);
      expect(await prometheus.series('system_memory_usage_bytes{host_name="empty-hostfs"}')).toEqual([]);
      // The metrics/host pipeline itself still delivers what can be read (load, from the kernel).
      expect(await prometheus.series('system_cpu_load_average_1m{host_name="empty-hostfs"}')).not.toEqual([]);
    } finally {
      await collector.stop();
    }
  }, 90_000);

  it('reports the readable filesystems and logs the mount point it cannot read', async () => {
    // A host root whose /proc files are this machine's, except that its mount table (proc/1/mountinfo,
    // what the filesystem scraper reads under root_path) also lists /srv/data, which is not there.
    const root = tempDir('hostfs-partial');
    mkdirSync(join(root, 'proc', '1'), { recursive: true });
    for (const file of [
      'stat',
      'meminfo',
      'loadavg',
      'vmstat',
      'diskstats',
      'swaps',
      'filesystems',
      'cpuinfo',
      'uptime',
      'net',
    ])
      symlinkSync(`/proc/${file}`, join(root, 'proc', file));
    symlinkSync('/sys', join(root, 'sys'));
    writeFileSync(
      join(root, 'proc', '1', 'mountinfo'),
      '1 0 252:0 / / rw,relatime - ext4 /dev/vda rw\n2 1 252:16 / /srv/data rw,relatime - ext4 /dev/vdz rw\n',
    );
    const collector = await start('collector-partial-hostfs', {
      SIGHTLINE_HOSTMETRICS_ROOT_PATH: root,
      SIGHTLINE_HOST_NAME: 'partial-hostfs',
    });
    try {
      await waitFor(
        async () =>
          (await prometheus.series('system_filesystem_usage_bytes{host_name="partial-hostfs",mountpoint="/"}')).length >
          0,
        { what: 'the filesystem of / from the partial root', timeoutMs: 30_000, intervalMs: 500 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${collector.logs()}`);
      });
      for (const series of [
        'system_cpu_time_seconds_total',
        'system_memory_usage_bytes',
        'system_cpu_load_average_1m',
      ]) {
        expect(await prometheus.series(`${series}{host_name="partial-hostfs"}`), series).not.toEqual([]);
      }
      await waitFor(
        () =>
          collector
            .logs()
            .split('\n')
            .some(
              (line) =>
                line.includes('"scraper": "filesystem"') &&
                line.includes(`failed to read usage at ${join(root, 'srv', 'data')}: no such file or directory`),
            ),
        { what: 'the filesystem scraper naming the mount point it cannot read', timeoutMs: 20_000, intervalMs: 500 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${collector.logs()}`);
      });
      expect(
        await prometheus.series('system_filesystem_usage_bytes{host_name="partial-hostfs",mountpoint="/srv/data"}'),
      ).toEqual([]);
    } finally {
      await collector.stop();
    }
  }, 90_000);

  it('otelcol.no-hostmetrics.yaml keeps host series out and leaves the other pipelines alone', async () => {
    const overlay = collectorConfigPath('otelcol.no-hostmetrics.yaml');
    expect(validateCollectorConfig([collectorConfigPath('otelcol.yaml'), overlay]).ok).toBe(true);
    const collector = await start('collector-no-hostmetrics', { SIGHTLINE_HOST_NAME: 'switched-off' }, [overlay]);
    try {
      await sendProbeCounter(collector, 'no-hostmetrics-probe', 3);
      await waitFor(
        async () =>
          (await prometheus.queryScalar('hostmetrics_probe_total{service_name="no-hostmetrics-probe"}')) === 3,
        { what: 'the OTLP counter in Prometheus', timeoutMs: 30_000, intervalMs: 250 },
      );
      // Host metrics would have arrived by now (1 s interval, 200 ms batches).
      expect(await prometheus.series('{host_name="switched-off"}')).toEqual([]);
      expect(collector.logs()).not.toMatch(/Error scraping metrics/);
    } finally {
      await collector.stop();
    }
  }, 60_000);
});
