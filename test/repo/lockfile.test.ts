// The lockfile installs with `npm ci` on a clean copy (what CI, the Divan image and a user's clone do),
// and lists every platform's optional native builds, so it works on machines other than this one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@sightline/harness';
import { afterAll, describe, it } from 'vitest';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; optional?: boolean }>;
};

describe('package-lock.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-npm-ci-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the optional native builds of every platform, not only this one', () => {
    for (const name of [
      '@biomejs/cli-darwin-arm64',
      '@biomejs/cli-win32-x64',
      '@biomejs/cli-linux-arm64-musl',
      '@rollup/rollup-darwin-arm64',
      '@rollup/rollup-win32-x64-msvc',
      '@esbuild/darwin-arm64',
    ]) {
      const entry = lock.packages[`node_modules/${name}`];
      assert.ok(entry?.version, `${name} is locked`);
      assert.equal(entry.optional, true, `${name} is optional`);
    }
  });

  it('installs with npm ci on a clean copy of the manifests', () => {
    copyFileSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
    copyFileSync(join(repoRoot, 'package-lock.json'), join(dir, 'package-lock.json'));
    for (const workspace of manifest.workspaces) {
      mkdirSync(join(dir, workspace), { recursive: true });
      copyFileSync(join(repoRoot, workspace, 'package.json'), join(dir, workspace, 'package.json'));
    }
    try {
      execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
        cwd: dir,
        stdio: 'pipe',
      });
    } catch (error) {
      assert.fail(`npm ci refused the lockfile:\n${(error as { stderr?: Buffer }).stderr?.toString().slice(0, 3000)}`);
    }
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', 'vitest', 'package.json'), 'utf8'));
    assert.equal(installed.version, lock.packages['node_modules/vitest']?.version, 'the locked vitest version');
  });
});
