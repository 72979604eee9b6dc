import { freePort, isListening } from './ports.ts';
import { type ManagedProcess, startProcess } from './process.ts';
import { waitFor } from './wait.ts';

/** A Redis server from Debian's redis-server, on loopback, without persistence. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server; `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  logs(): string;
}

export async function startRedis(options: { port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  let proc: ManagedProcess | undefined;
  const start = async () => {
    proc = startProcess({
      name: `redis:${port}`,
      command: 'redis-server',
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    });
    const started = proc;
    await waitFor(() => (started.running ? isListening(port) : Promise.reject(new Error(started.logs()))), {
      what: `redis on ${port}`,
      timeoutMs: 15_000,
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop: async () => {
      await proc?.stop();
    },
    logs: () => proc?.logs() ?? '',
  };
}
