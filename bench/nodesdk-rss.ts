/**
 * `npm run bench:nodesdk-rss`: the resident memory Sightline's `init()` adds to an idle Fastify
 * service, against OpenTelemetry's `NodeSDK` given explicit exporters, processors and readers and
 * the same instrumentations. It decides whether `init()` can be built on NodeSDK within the SDK's
 * 40 MB RSS budget (packages/node/README.md, "Why not NodeSDK"). Alternating runs, medians.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@sightline/harness';

const ROUNDS = Number(process.env.RSS_ROUNDS ?? 5);
const app = join(repoRoot, 'bench', 'rss', 'app.mjs');
const variants: Record<string, string[]> = {
  'no instrumentation': [],
  'Sightline init()': ['--import', '@sightline/node/register'],
  'providers, explicit exporters (no NodeSDK)': ['--import', join(repoRoot, 'bench', 'rss', 'providers-preload.mjs')],
  'NodeSDK, explicit exporters': ['--import', join(repoRoot, 'bench', 'rss', 'nodesdk-preload.mjs')],
};
// Exports go nowhere (a closed port): idle memory, not queued data, is measured.
const env = {
  ...process.env,
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
  OTEL_METRIC_EXPORT_INTERVAL: '60000',
  LOG_LEVEL: 'silent',
};

const samples = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, flags] of Object.entries(variants)) {
    const out = execFileSync(process.execPath, ['--expose-gc', ...flags, app], { cwd: repoRoot, env }).toString();
    const line = out.trim().split('\n').at(-1) ?? '';
    samples.get(name)?.push((JSON.parse(line) as { rssMb: number }).rssMb);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const base = median(samples.get('no instrumentation') ?? []);
console.log(`Node.js ${process.version}, ${ROUNDS} alternating rounds, median RSS after 200 requests and a GC\n`);
console.log('| variant | RSS (MB) | added (MB) |\n| --- | --- | --- |');
for (const [name, xs] of samples) {
  const m = median(xs);
  console.log(`| ${name} | ${m.toFixed(1)} | ${name === 'no instrumentation' ? '–' : `+${(m - base).toFixed(1)}`} |`);
}
