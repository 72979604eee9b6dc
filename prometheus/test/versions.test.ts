// One Prometheus and one Alertmanager version everywhere: scripts/versions.env pins them, the
// native tests run the binaries scripts/build-prom-tools.sh builds from it, docker-compose.yml and
// the Grafana datasource name the same release, and the READMEs name no other.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { type PromTool, promToolBinary } from '@sightline/harness';
import { describe, it } from 'vitest';
import { parse } from 'yaml';
import { repoDir } from './files.ts';

/** scripts/versions.env as a map: `KEY=VALUE` lines, comments and blank lines skipped. */
function pinnedVersions(): Record<string, string> {
  const text = readFileSync(join(repoDir, 'scripts', 'versions.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]),
  );
}

/** True when a 64-bit ELF binary asks for no dynamic loader (no PT_INTERP): it runs in any image. */
function isStatic(binary: string): boolean {
  const header = Buffer.alloc(4096);
  const fd = openSync(binary, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  assert.equal(header.toString('latin1', 1, 4), 'ELF', `${binary} is not an ELF binary`);
  const phoff = Number(header.readBigUInt64LE(32));
  const phentsize = header.readUInt16LE(54);
  const phnum = header.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) if (header.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

const pins = pinnedVersions();
const PROMETHEUS = pins.PROMETHEUS ?? '';
const ALERTMANAGER = pins.ALERTMANAGER ?? '';
const read = (...path: string[]) => readFileSync(join(repoDir, ...path), 'utf8');

describe('Prometheus and Alertmanager versions', () => {
  it('are pinned in scripts/versions.env', () => {
    assert.match(PROMETHEUS, /^\d+\.\d+\.\d+$/, 'PROMETHEUS');
    assert.match(pins.PROMETHEUS_MODULE ?? '', /^0\.\d+\.\d+$/, 'PROMETHEUS_MODULE');
    assert.match(ALERTMANAGER, /^\d+\.\d+\.\d+$/, 'ALERTMANAGER');
    // Prometheus tags its Go module v0.MAJOR*100+MINOR.PATCH (3.16.0 is module v0.316.0).
    const [major, minor, patch] = PROMETHEUS.split('.').map(Number) as [number, number, number];
    assert.equal(pins.PROMETHEUS_MODULE, `0.${major * 100 + minor}.${patch}`);
  });

  it('docker-compose.yml runs the images of those versions', () => {
    const compose = parse(read('docker-compose.yml')) as { services: Record<string, { image?: string }> };
    assert.equal(compose.services.prometheus?.image, `prom/prometheus:v${PROMETHEUS}`);
    assert.equal(compose.services.alertmanager?.image, `prom/alertmanager:v${ALERTMANAGER}`);
  });

  it('the Grafana datasource declares the same Prometheus version', () => {
    const provisioning = parse(read('grafana', 'provisioning', 'datasources', 'datasources.yaml')) as {
      datasources: Array<{ type: string; jsonData?: { prometheusVersion?: string } }>;
    };
    const prometheus = provisioning.datasources.find((source) => source.type === 'prometheus');
    assert.equal(prometheus?.jsonData?.prometheusVersion, PROMETHEUS);
  });

  for (const doc of ['README.md', 'prometheus/README.md', 'test/e2e/README.md']) {
    it(`${doc} names these versions and no other`, () => {
      const text = read(doc);
      // "Alertmanager 0.26 and later" states a requirement, not the version in use.
      const named = (product: string) =>
        [...text.matchAll(new RegExp(`${product} v?(\\d+\\.\\d+(?:\\.\\d+)?)(?!\\d|\\.\\d| and later|\\+)`, 'g'))].map(
          (m) => m[1] as string,
        );
      const wrong = [
        ...named('Prometheus').filter((v) => !`${PROMETHEUS}.`.startsWith(`${v}.`)),
        ...named('Alertmanager').filter((v) => !`${ALERTMANAGER}.`.startsWith(`${v}.`)),
      ];
      assert.deepEqual(wrong, [], `${doc} names other versions`);
    });
  }
  it('README.md names both pinned versions', () => {
    const text = read('README.md');
    assert.ok(text.includes(`Prometheus ${PROMETHEUS}`), `README.md: Prometheus ${PROMETHEUS}`);
    assert.ok(text.includes(`Alertmanager ${ALERTMANAGER}`), `README.md: Alertmanager ${ALERTMANAGER}`);
  });

  const expected: Record<PromTool, string> = {
    prometheus: PROMETHEUS,
    promtool: PROMETHEUS,
    alertmanager: ALERTMANAGER,
    amtool: ALERTMANAGER,
  };
  for (const [tool, version] of Object.entries(expected) as Array<[PromTool, string]>) {
    it(`the ${tool} the tests run is ${version}, built without cgo`, () => {
      const binary = promToolBinary(tool);
      const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
      const output = `${result.stdout}${result.stderr}`;
      assert.equal(result.status, 0, output);
      assert.match(output, new RegExp(`^${tool}, version ${version.replaceAll('.', '\\.')} `, 'm'));
      assert.ok(isStatic(binary), `${binary} needs a dynamic loader (built with cgo?)`);
    });
  }
});
