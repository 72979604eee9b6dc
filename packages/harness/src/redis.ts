import { freePort, isListening } from './ports.ts';
import { type ManagedProcess, startManaged } from './process.ts';

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
    proc = await startManaged({
      name: `redis:${port}`,
      command: 'redis-server',
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ready: () => isListening(port),
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
