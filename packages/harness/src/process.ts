import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options for {@link startProcess}. */
export interface ProcessOptions {
  /** A short name used in log dumps and errors, e.g. `collector`. */
  name: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (only when the test runs as root). */
  uid?: number;
  gid?: number;
  /** Lines of output kept for {@link ManagedProcess.logs}. @default 2000 */
  keepLines?: number;
}

/** A child process whose output is kept so a failing test can show it. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The kept stdout and stderr lines, interleaved. */
  logs(): string;
  /** Resolves with the exit code once the process has exited. */
  exited(): Promise<number | null>;
  readonly running: boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();

// A test file that throws must not leave servers behind for the next file.
process.once('exit', () => {
  for (const managed of live) managed.child.kill('SIGKILL');
});

export function startProcess(options: ProcessOptions): ManagedProcess {
  const { name, command, args = [], env, cwd, uid, gid, keepLines = 2000 } = options;
  const lines: string[] = [];
  const child = spawn(command, args, {
    cwd,
    uid,
    gid,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exitCode: number | null | undefined;
  const exitPromise = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code;
      lines.push(`[${name} exited with ${code ?? signal}]`);
      live.delete(managed);
      resolve(code);
    });
    child.once('error', (error) => {
      lines.push(`[${name} failed to start: ${error.message}]`);
      exitCode = -1;
      live.delete(managed);
      resolve(-1);
    });
  });
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      lines.push(line);
      if (lines.length > keepLines) lines.shift();
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const managed: ManagedProcess = {
    name,
    child,
    logs: () => `----- ${name} -----\n${lines.join('\n')}\n`,
    exited: () => exitPromise,
    get running() {
      return exitCode === undefined;
    },
    async stop(graceMs = 5000) {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
  };
  live.add(managed);
  return managed;
}

/** A fresh temporary directory named after its purpose. */
export function tempDir(purpose: string): string {
  return mkdtempSync(join(tmpdir(), `sightline-${purpose}-`));
}

/** Joins the logs of every process given, for an assertion message or a failure dump. */
export function dumpLogs(...processes: Array<ManagedProcess | undefined>): string {
  return processes
    .filter((p): p is ManagedProcess => p !== undefined)
    .map((p) => p.logs())
    .join('\n');
}
