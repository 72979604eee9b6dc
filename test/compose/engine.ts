// The Docker side of the compose test: a private dockerd (scripts/docker-engine.sh), Compose v2 as a
// CLI plugin (scripts/build-compose.sh), the images (docker/build-all.sh, cached), and a
// `docker compose` runner for one project whose `up --wait` failures name the unhealthy service
// and carry every service's state and logs.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Options of {@link startEngine}. */
export interface EngineOptions {
  /** The repository root. */
  repoDir: string;
  /** State directory of the engine (data root, exec root, socket); keep it short. */
  stateDir: string;
  /** Where Compose is installed as a CLI plugin (a private DOCKER_CONFIG). */
  dockerConfigDir: string;
}

/** A running private Docker engine with Compose and the stack's images. */
export interface Engine {
  /** Environment for docker/compose commands: DOCKER_HOST, DOCKER_CONFIG, PATH. */
  env: NodeJS.ProcessEnv;
  /** Milliseconds spent per step (engine start, compose build, images). */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

async function timed<T>(timings: Record<string, number>, step: string, body: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await body();
  } finally {
    timings[step] = Date.now() - start;
  }
}

/** Output of a failed command, with its stderr, as an Error. */
function commandError(what: string, error: unknown): Error {
  const e = error as { stderr?: string; stdout?: string; message: string };
  return new Error(`${what} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
}

/** Starts dockerd with its own state, installs Compose and loads or builds every image. */
export async function startEngine(options: EngineOptions): Promise<Engine> {
  const { repoDir, stateDir, dockerConfigDir } = options;
  const timings: Record<string, number> = {};
  const script = (name: string) => join(repoDir, 'scripts', name);
  mkdirSync(dockerConfigDir, { recursive: true });
  const dockerHost = await timed(timings, 'engine', async () => {
    try {
      const { stdout } = await run('bash', [script('docker-engine.sh'), 'start', stateDir]);
      return stdout.trim();
    } catch (error) {
      throw commandError('scripts/docker-engine.sh start', error);
    }
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_HOST: dockerHost,
    DOCKER_CONFIG: dockerConfigDir,
    PATH: `${process.env.PATH}:/usr/local/go/bin`,
  };
  const stop = async () => {
    await run('bash', [script('docker-engine.sh'), 'stop', stateDir]);
  };
  try {
    await timed(timings, 'compose', async () => {
      await run('bash', [script('build-compose.sh'), join(dockerConfigDir, 'cli-plugins')], {
        env,
        maxBuffer: 64 << 20,
      }).catch((error) => {
        throw commandError('scripts/build-compose.sh', error);
      });
    });
    await timed(timings, 'images', async () => {
      await run('bash', [join(repoDir, 'docker', 'build-all.sh')], { env, maxBuffer: 256 << 20 }).catch((error) => {
        throw commandError('docker/build-all.sh', error);
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, timings, stop };
}

/** Options of {@link composeProject}. */
export interface ComposeOptions {
  engine: Engine;
  repoDir: string;
  /** Compose project name. */
  project: string;
  /** Compose files, in order (paths relative to repoDir or absolute). */
  files: string[];
  /** The env file with the test's secrets and test-only settings. */
  envFile: string;
}

/** `docker compose` for one project. */
export interface ComposeProject {
  /** Runs `docker compose <args>`; rejects with its output on failure. */
  run(args: string[], timeoutMs?: number): Promise<string>;
  /**
   * `up -d --wait`; on failure throws naming every service that is not healthy, with
   * `docker compose ps` and each such service's logs.
   */
  up(timeoutMs: number): Promise<void>;
  /** The host address (`127.0.0.1:<port>`) a service's container port is published on. */
  port(service: string, containerPort: number): Promise<string>;
  /** Every service's last log lines, for failure messages. */
  logs(services?: string[], tail?: number): Promise<string>;
  /** `down -v`: containers, networks and volumes of the project. */
  down(): Promise<void>;
}

/** A Compose project on the engine. */
export function composeProject(options: ComposeOptions): ComposeProject {
  const { engine, repoDir, project, files, envFile } = options;
  const base = ['compose', '-p', project, '--env-file', envFile, ...files.flatMap((file) => ['-f', file])];
  const runCompose = async (args: string[], timeoutMs = 120_000) => {
    try {
      const { stdout, stderr } = await run('docker', [...base, ...args], {
        cwd: repoDir,
        env: engine.env,
        timeout: timeoutMs,
        maxBuffer: 64 << 20,
      });
      return `${stdout}${stderr}`;
    } catch (error) {
      throw commandError(`docker compose ${args.join(' ')}`, error);
    }
  };
  const logs = async (services: string[] = [], tail = 60) =>
    runCompose(['logs', '--no-color', '--tail', String(tail), ...services]).catch((error: Error) => error.message);
  return {
    run: runCompose,
    async up(timeoutMs) {
      const seconds = Math.ceil(timeoutMs / 1000);
      try {
        await runCompose(['up', '-d', '--wait', '--wait-timeout', String(seconds), '--no-build'], timeoutMs + 30_000);
      } catch (error) {
        const ps = await runCompose(['ps', '-a', '--format', 'json']).catch(() => '');
        const states = ps
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { Service: string; State: string; Health: string });
        const unhealthy = states.filter((s) => s.State !== 'running' || (s.Health !== '' && s.Health !== 'healthy'));
        const names = unhealthy.map((s) => s.Service);
        const table = await runCompose(['ps', '-a']).catch((e: Error) => e.message);
        throw new Error(
          `docker compose up --wait failed; not healthy: ${names.join(', ') || '(none reported)'}\n` +
            `${(error as Error).message}\n${table}\n${await logs(names, 200)}`,
        );
      }
    },
    async port(service, containerPort) {
      const out = (await runCompose(['port', service, String(containerPort)])).trim();
      const address = out.split('\n').find((line) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(line));
      if (address === undefined) throw new Error(`no published port for ${service}:${containerPort}: ${out}`);
      return address;
    },
    logs,
    async down() {
      await runCompose(['down', '-v', '--remove-orphans', '--timeout', '20'], 180_000);
    },
  };
}
