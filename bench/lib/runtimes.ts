import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@sightline/harness';

/**
 * The node binary for one `--runtimes` entry: `current` is the runner's own node; a major version such as
 * `24` is the build pinned in scripts/versions.env (`NODE24=`), which scripts/install-node.sh caches (and
 * installs on first use). An entry that is neither, or has no pin, is an error naming it.
 */
export function resolveRuntime(entry: string): string {
  if (entry === 'current') return process.execPath;
  if (!/^\d+$/.test(entry)) {
    throw new Error(`--runtimes: expected a major version (e.g. 24) or "current", received ${JSON.stringify(entry)}`);
  }
  let binDir: string;
  try {
    binDir = execFileSync('bash', [join(repoRoot, 'scripts/install-node.sh'), entry], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `--runtimes: no Node ${entry} (${stderr.trim() || (error as Error).message}); pass --node <path> or --runtimes current instead`,
    );
  }
  return join(binDir, 'node');
}
