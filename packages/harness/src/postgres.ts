import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { type ManagedProcess, startManaged, tempDir } from './process.ts';

/** A throwaway PostgreSQL cluster from Debian's postgresql, on loopback, trust auth. */
export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** Stops the server; `start()` brings it back on the same port with the same data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  logs(): string;
}

function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const version = versions[0];
  if (version === undefined) throw new Error('PostgreSQL is not installed: run scripts/install-deps.sh');
  return join(base, version, 'bin');
}

/** PostgreSQL refuses to run as root, so as root it runs as Debian's `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  };
}

export async function startPostgres(options: { port?: number } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const port = options.port ?? (await freePort());
  const dir = tempDir('postgres');
  const data = join(dir, 'data');
  const user = postgresUser();
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
    stdio: 'pipe',
    ...user,
  });

  let proc: ManagedProcess | undefined;
  const start = async () => {
    const isReady = () => {
      try {
        execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], {
          stdio: 'pipe',
        });
        return true;
      } catch {
        return false;
      }
    };
    proc = await startManaged({
      name: `postgres:${port}`,
      command: join(bin, 'postgres'),
      args: [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
      ...user,
      ready: isReady,
      timeoutMs: 30_000,
      intervalMs: 200,
      // SIGINT is PostgreSQL's "fast shutdown": it disconnects clients and exits at once.
      stopSignal: 'SIGINT',
      stopGraceMs: 15_000,
    });
  };
  await start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop: async () => {
      await proc?.stop();
    },
    logs: () => proc?.logs() ?? '',
  };
}
