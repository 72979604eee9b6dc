// Log destinations for tests that pass `logDestination` to init() or createLogger().
import { Writable } from 'node:stream';

/** A stream that parses each JSON line written to it into `lines`, for assertions on log content. */
export function captureJsonLines(): { lines: Record<string, unknown>[]; destination: Writable } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

/** A stream that drops everything, for tests that do not read the logs. */
export function discardLogs(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}
