import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './collector.ts';

/** The four binaries scripts/build-prom-tools.sh builds, each with its env override. */
export type PromTool = 'prometheus' | 'promtool' | 'alertmanager' | 'amtool';

const ENV_VAR: Record<PromTool, string> = {
  prometheus: 'SIGHTLINE_PROMETHEUS_BIN',
  promtool: 'SIGHTLINE_PROMTOOL_BIN',
  alertmanager: 'SIGHTLINE_ALERTMANAGER_BIN',
  amtool: 'SIGHTLINE_AMTOOL_BIN',
};

/** Which build of scripts/build-prom-tools.sh carries each binary. */
const BUILD: Record<PromTool, 'prometheus' | 'alertmanager'> = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  alertmanager: 'alertmanager',
  amtool: 'alertmanager',
};

/**
 * The path of a Prometheus or Alertmanager binary at the version compose ships
 * (scripts/versions.env): `$SIGHTLINE_<TOOL>_BIN` when set (scripts/test-all.sh sets all four),
 * else the cached build of scripts/build-prom-tools.sh, which prints its cache directory at once
 * when the build exists and builds it (minutes) on first use.
 */
export function promToolBinary(tool: PromTool, env: NodeJS.ProcessEnv = process.env): string {
  const variable = ENV_VAR[tool];
  const fromEnv = env[variable];
  const path =
    fromEnv !== undefined && fromEnv !== ''
      ? fromEnv
      : join(
          execFileSync('bash', [join(repoRoot, 'scripts/build-prom-tools.sh'), BUILD[tool]], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
          }).trim(),
          'bin',
          tool,
        );
  if (!existsSync(path)) {
    throw new Error(`${variable}: expected the ${tool} binary at ${path}, found nothing`);
  }
  return path;
}
