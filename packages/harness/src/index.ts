export { freePort, isListening } from './ports.ts';
export { type PostgresServer, startPostgres } from './postgres.ts';
export { dumpLogs, type ManagedProcess, type ProcessOptions, startProcess, tempDir } from './process.ts';
export { type RedisServer, startRedis } from './redis.ts';
export { type WaitOptions, waitFor } from './wait.ts';
