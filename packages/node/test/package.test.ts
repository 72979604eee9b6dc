// The package as npm would publish it: `npm pack` output, exports for ESM and CJS consumers, and type
// resolution under every module resolution mode, checked with @arethetypeswrong/cli on the tarball.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = join(packageDir, '..', '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));

interface PackResult {
  filename: string;
  files: { path: string }[];
}

describe('the packed @sightline/node', () => {
  let workDir: string;
  let tarball: string;
  let files: string[];

  beforeAll(() => {
    execFileSync('npm', ['run', 'build', '-w', '@sightline/node'], { cwd: repoDir, stdio: 'pipe' });
    workDir = mkdtempSync(join(tmpdir(), 'sightline-pack-'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: packageDir });
    const [result] = JSON.parse(out.toString()) as PackResult[];
    assert.ok(result, 'npm pack reported a tarball');
    tarball = join(workDir, result.filename);
    files = result.files.map((f) => f.path).sort();
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('ships the builds, types, licence, changelog and readme, and no sources or tests', () => {
    for (const path of [
      'LICENSE',
      'CHANGELOG.md',
      'README.md',
      'package.json',
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/register.js',
      'dist/register.cjs',
      'dist/register.d.ts',
      'dist/register.d.cts',
      'register/package.json',
    ]) {
      assert.ok(files.includes(path), `${path} is in the tarball (has: ${files.join(', ')})`);
    }
    assert.deepEqual(
      files.filter(
        (f) =>
          f.startsWith('src/') ||
          f.startsWith('test/') ||
          (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.cts')),
      ),
      [],
    );
  });

  it('declares what a publishable package needs', () => {
    assert.equal(manifest.license, 'Apache-2.0');
    assert.ok(manifest.repository?.url, 'repository');
    assert.ok(manifest.keywords?.includes('opentelemetry'), 'keywords');
    assert.deepEqual(Object.keys(manifest.peerDependencies ?? {}), ['@opentelemetry/api']);
    assert.equal(manifest.dependencies['@opentelemetry/api'], undefined, 'the API is a peer, never a second copy');
    assert.match(manifest.engines.node, /^>=22\./);
    assert.match(readFileSync(join(packageDir, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  });

  it('resolves types for ESM and CJS consumers under every resolution mode (arethetypeswrong)', () => {
    // attw exits non-zero on any problem; its JSON names each one. Every resolution mode, node10 too:
    // register/package.json points old resolvers (no subpath exports) at the CJS entry and its types.
    let output: string;
    try {
      output = execFileSync('npx', ['attw', tarball, '--format', 'json', '--exclude-entrypoints', './package.json'], {
        cwd: repoDir,
      }).toString();
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
      assert.fail(`arethetypeswrong found problems:\n${`${stdout ?? ''}\n${stderr ?? ''}`.slice(0, 4000)}`);
    }
    const report = JSON.parse(output) as { analysis: { entrypoints: Record<string, unknown> } };
    assert.deepEqual(Object.keys(report.analysis.entrypoints).sort(), ['.', './register']);
  });

  it('loads from the tarball in a clean ESM and a clean CommonJS consumer, each with the one API copy', () => {
    const consumer = join(workDir, 'consumer');
    execFileSync('npm', ['init', '-y'], { cwd: workDir, stdio: 'pipe' });
    rmSync(join(workDir, 'package.json'));
    execFileSync('mkdir', ['-p', consumer]);
    execFileSync('npm', ['init', '-y'], { cwd: consumer, stdio: 'pipe' });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
      cwd: consumer,
      stdio: 'pipe',
    });
    const esm = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('@sightline/node'); console.log(typeof m.init, typeof m.sightlineFastify)",
      ],
      { cwd: consumer, env: { ...process.env, OBS_ENABLED: 'false' } },
    ).toString();
    assert.equal(esm.trim(), 'function function');
    // Enabled, exporting nowhere: the app's init() must be the instance --require started, not a second one.
    const cjs = execFileSync(
      process.execPath,
      [
        '--require',
        '@sightline/node/register',
        '-e',
        "const s = require('@sightline/node').init(); console.log(s.enabled, s === require('@sightline/node').init()); process.exit(0)",
      ],
      {
        cwd: consumer,
        env: {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
          LOG_LEVEL: 'silent',
          NODE_ENV: 'test',
        },
      },
    ).toString();
    assert.match(cjs, /^true true\s*$/m);
    const apiCopies = execFileSync('npm', ['ls', '@opentelemetry/api', '--all', '--parseable'], { cwd: consumer })
      .toString()
      .trim()
      .split('\n')
      .filter((line) => line.endsWith('/@opentelemetry/api'));
    assert.equal(new Set(apiCopies).size, 1, `one @opentelemetry/api in the consumer: ${apiCopies.join(', ')}`);
  });
});
