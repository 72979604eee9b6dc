/**
 * What `npm run bench:collector` reads about the collector under test: CPU time and memory from
 * /proc, and its own telemetry (otelcol_receiver_accepted_* / _refused_*) from its metrics endpoint.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far (all its threads). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * Seconds the process's threads have waited for a CPU so far (field 2 of /proc/<pid>/task/<tid>/schedstat):
 * how much a busy machine held the collector back, as opposed to the load generator not keeping up.
 */
export function runQueueSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return ns / 1e9;
}

/**
 * A line of /proc/<pid>/status in MiB: `VmRSS` (resident now), `VmHWM` (peak), `RssAnon` (heap and
 * stacks, without the file_storage queue's memory-mapped file pages, which RSS also counts).
 */
export function statusMiB(pid: number, key: 'VmRSS' | 'VmHWM' | 'RssAnon'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`));
  return line === undefined ? Number.NaN : Number(line.split(/\s+/)[1]) / 1024;
}

/** Peak VmRSS and RssAnon over a sampling period, in MiB. */
export interface RssPeaks {
  rss: number;
  anon: number;
}

/** Samples VmRSS and RssAnon every `intervalMs` until stopped, and keeps the highest of each. */
export function rssSampler(pid: number, intervalMs = 200): { stop(): RssPeaks } {
  const peak: RssPeaks = { rss: 0, anon: 0 };
  const sample = () => {
    try {
      peak.rss = Math.max(peak.rss, statusMiB(pid, 'VmRSS'));
      peak.anon = Math.max(peak.anon, statusMiB(pid, 'RssAnon'));
    } catch {
      // The process is gone; the peaks so far stand.
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { ...peak };
    },
  };
}

/** Sums every sample of `name` (with or without `_total`) whose labels include all of `labels`. */
export function sumSeries(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const bare = line.replace(/_total(?=[{ ])/, '');
    if (!bare.startsWith(`${name}{`) && !bare.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Items one receiver accepted and refused so far, from a collector's own metrics. */
export interface ReceiverCounts {
  accepted: number;
  refused: number;
  /** Export requests the `sightline_admission` extension refused (whole requests, not items). */
  refusedRequests: number;
}

/** Reads `otelcol_receiver_{accepted,refused}_<item>` of receiver `otlp` from `metricsUrl`. */
export async function receiverCounts(
  metricsUrl: string,
  item: 'spans' | 'log_records',
  receiver = 'otlp',
): Promise<ReceiverCounts> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`${metricsUrl} answered ${response.status}`);
  const text = await response.text();
  return {
    accepted: sumSeries(text, `otelcol_receiver_accepted_${item}`, { receiver }),
    refused: sumSeries(text, `otelcol_receiver_refused_${item}`, { receiver }),
    refusedRequests:
      sumSeries(text, 'otelcol_sightline_admission_requests') -
      sumSeries(text, 'otelcol_sightline_admission_requests', { outcome: 'admitted' }),
  };
}

/** The 1-minute load average (/proc/loadavg): how busy the shared machine was. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** The cgroup v1 CPU controller's mount, where this machine has one. */
const CPU_CGROUP = '/sys/fs/cgroup/cpu';

/**
 * Puts process `pid` (all its threads) in a new cgroup limited to `cores` of CPU time (CFS quota),
 * so a load generator on the other core can offer it twice what it can take. Returns a function that
 * removes the group once the process has exited. Throws, naming the path, where the cgroup v1 CPU
 * controller is missing or not writable.
 */
export function limitCpu(pid: number, cores: number, name: string): () => void {
  if (!existsSync(`${CPU_CGROUP}/cpu.cfs_quota_us`)) {
    throw new Error(`--cpu-quota: no cgroup v1 CPU controller at ${CPU_CGROUP}; run without --cpu-quota`);
  }
  const dir = `${CPU_CGROUP}/${name}`;
  mkdirSync(dir, { recursive: true });
  const period = 100_000;
  writeFileSync(`${dir}/cpu.cfs_period_us`, String(period));
  writeFileSync(`${dir}/cpu.cfs_quota_us`, String(Math.round(cores * period)));
  writeFileSync(`${dir}/cgroup.procs`, String(pid));
  return () => {
    try {
      rmdirSync(dir);
    } catch {
      // Still holds a process (it did not exit): left for the next run's mkdir to reuse.
    }
  };
}
