import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where scripts cache the Node builds (`node-<version>/bin/node`), like every other cached build here. */
export function cacheDir(): string {
  return process.env.SIGHTLINE_CACHE_DIR ?? join(homedir(), '.cache', 'sightline');
}

/**
 * The node binary for one `--runtimes` entry: `current` is the runner's own node; a major version such as
 * `24` is the newest cached `node-24.*` build. A missing build is an error naming the entry.
 */
export function resolveRuntime(entry: string, dir = cacheDir()): string {
  if (entry === 'current') return process.execPath;
  if (!/^\d+$/.test(entry)) {
    throw new Error(`--runtimes: expected a major version (e.g. 24) or "current", received ${JSON.stringify(entry)}`);
  }
  const versions = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.startsWith(`node-${entry}.`) && existsSync(join(dir, name, 'bin', 'node')))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    : [];
  const newest = versions.at(-1);
  if (newest === undefined) {
    throw new Error(
      `--runtimes: no Node ${entry} build under ${dir} (expected node-${entry}.x.y/bin/node); pass --node <path> instead`,
    );
  }
  return join(dir, newest, 'bin', 'node');
}
