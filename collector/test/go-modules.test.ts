/**
 * Runs the Go tests of Sightline's own collector components with the Go toolchain the collector
 * build uses, so the one test command covers them: the sightline_pii processor (unit tests, the
 * committed fuzz inputs, every rule example and look-alike of pii/rules.yaml) and the
 * sightline_admission extension (limits, waiting, retryable refusals over real gRPC and HTTP).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@sightline/harness';
import { describe, expect, it } from 'vitest';

const MODULES = ['processor/piiprocessor', 'extension/admissionextension'];

describe('Sightline collector Go modules', () => {
  for (const module of MODULES) {
    it(`${module} passes go vet and go test`, () => {
      const cwd = join(repoRoot, 'collector', module);
      const env = { ...process.env, PATH: `${process.env.PATH}:/usr/local/go/bin` };
      for (const args of [
        ['vet', './...'],
        ['test', '-count=1', './...'],
      ]) {
        const result = spawnSync('go', args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
        expect(result.status, `go ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
      }
    });
  }
});
