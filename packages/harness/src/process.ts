import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
  /** What output is kept. @default { keepLines: 2000, stdout: 'keep' } */
  logs?: ProcessLogOptions;
  /** Signal {@link ManagedProcess.stop} sends first (PostgreSQL's fast shutdown is SIGINT). @default 'SIGTERM' */
  stopSignal?: NodeJS.Signals;
  /** How long {@link ManagedProcess.stop} waits before SIGKILL when called without a grace. @default 5000 */
  stopGraceMs?: number;
}

/** What a process's output keeps, for {@link ManagedProcess.logs} and start errors. */
export interface ProcessLogOptions {
  /** Lines of stdout and stderr kept, the newest. @default 2000 */
  keepLines?: number;
  /**
   * `'ignore'` sends stdout to /dev/null and keeps stderr only: for a benchmark server whose
   * stdout is a firehose of JSON log lines that must not cost a pipe. @default 'keep'
   */
  stdout?: 'keep' | 'ignore';
}

/** A child process whose output is kept so a failing test can show it. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The kept stdout and stderr lines, interleaved, under a `----- name -----` header. */
  logs(): string;
  /** The last `lines` kept lines, under a header that says how many of how many. */
  tail(lines: number): string;
  /** Resolves with the exit code once the process has exited. */
  exited(): Promise<number | null>;
  readonly running: boolean;
  /** `stopSignal`, then SIGKILL after `graceMs` (default `stopGraceMs`); resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();

// A test file that throws must not leave servers behind for the next file.
process.once('exit', () => {
  for (const managed of live) managed.child.kill('SIGKILL');
});

export function startProcess(options: ProcessOptions): ManagedProcess {
  const { name, command, args = [], env, cwd, uid, gid, stopSignal = 'SIGTERM', stopGraceMs = 5000 } = options;
  const { keepLines = 2000, stdout = 'keep' } = options.logs ?? {};
  const lines: string[] = [];
  const child = spawn(command, args, {
    cwd,
    uid,
    gid,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout === 'keep' ? 'pipe' : 'ignore', 'pipe'],
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
    tail: (count) => {
      const shown = lines.slice(-count);
      return `----- ${name}: last ${shown.length} of ${lines.length} kept lines -----\n${shown.join('\n')}\n`;
    },
    exited: () => exitPromise,
    get running() {
      return exitCode === undefined;
    },
    async stop(graceMs = stopGraceMs) {
      if (exitCode !== undefined) return;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
  };
  live.add(managed);
  return managed;
}

/** Options for {@link startManaged}: the process, and how to tell it is ready. */
export interface StartManagedOptions extends ProcessOptions {
  /** Ready once a GET on this URL answers 2xx. At least one of `readyUrl` and `ready` is required. */
  readyUrl?: string;
  /**
   * Ready once this returns true (a port that accepts connections, `pg_isready`); a throw counts
   * as "not yet" and its message is reported on timeout. With `readyUrl`, both must pass.
   */
  ready?: () => boolean | Promise<boolean>;
  /** Give up, stop the process and throw after this long. @default 30000 */
  timeoutMs?: number;
  /** Pause between probes. @default 100 */
  intervalMs?: number;
  /** Timeout of one GET on `readyUrl`, so a hung server cannot stall the deadline. @default 2000 */
  probeTimeoutMs?: number;
  /** Lines of the process's output a start error ends with. @default 100 */
  errorTailLines?: number;
}

/** Why {@link startManaged} gave up; the message names the command and ends with the log tail. */
export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
  constructor(
    /** `HARNESS_PROCESS_EXITED`: it exited before it was ready; `HARNESS_PROCESS_NOT_READY`: the deadline passed and it was stopped. */
    readonly code: 'HARNESS_PROCESS_EXITED' | 'HARNESS_PROCESS_NOT_READY',
    message: string,
    /** Every kept line of the process's output. */
    readonly logs: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/**
 * Starts a process and polls until it is ready (`readyUrl` answers 2xx and/or `ready()` is true).
 * Fails fast when the process exits first; past `timeoutMs` it stops the process. Either way it
 * throws a {@link ProcessStartError} naming the command and ending with the tail of its logs, so
 * the caller never has a half-started process to clean up.
 */
export async function startManaged(options: StartManagedOptions): Promise<ManagedProcess> {
  const {
    readyUrl,
    ready,
    timeoutMs = 30_000,
    intervalMs = 100,
    probeTimeoutMs = 2000,
    errorTailLines = 100,
  } = options;
  if (readyUrl === undefined && ready === undefined) {
    throw new TypeError(`startManaged(${options.name}): give readyUrl or ready, or it can never be ready`);
  }
  const proc = startProcess(options);
  const commandLine = [options.command, ...(options.args ?? [])].join(' ');
  const what = [readyUrl && `GET ${readyUrl}`, ready && 'its ready() check'].filter(Boolean).join(' and ');
  const fail = (code: ProcessStartError['code'], message: string) =>
    new ProcessStartError(code, `${proc.name} (${commandLine}) ${message}\n${proc.tail(errorTailLines)}`, proc.logs());

  let lastFailure = 'no probe finished yet';
  const probe = async (): Promise<boolean> => {
    try {
      if (readyUrl !== undefined) {
        const response = await fetch(readyUrl, { signal: AbortSignal.timeout(probeTimeoutMs) });
        await response.arrayBuffer();
        if (!response.ok) {
          lastFailure = `${readyUrl} answered ${response.status}`;
          return false;
        }
      }
      if (ready !== undefined && !(await ready())) {
        lastFailure = 'ready() returned false';
        return false;
      }
      return true;
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      lastFailure = `${(error as Error).message}${cause?.message ? ` (${cause.message})` : ''}`;
      return false;
    }
  };

  // A command that cannot be spawned says so on a later tick; a probe must not pass before that.
  await Promise.race([new Promise((resolve) => proc.child.once('spawn', resolve)), proc.exited()]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.running) break;
    if (await probe()) return proc;
    if (!proc.running) break;
    if (Date.now() >= deadline) {
      await proc.stop();
      throw fail(
        'HARNESS_PROCESS_NOT_READY',
        `was not ready after ${timeoutMs} ms (${what}; last: ${lastFailure}); stopped it`,
      );
    }
    // An exit ends the pause at once: a process that dies on start fails in milliseconds, not at the deadline.
    await Promise.race([sleep(intervalMs), proc.exited()]);
  }
  const code = (await proc.exited()) ?? proc.child.signalCode;
  throw fail('HARNESS_PROCESS_EXITED', `exited with ${code} before it was ready (${what})`);
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
