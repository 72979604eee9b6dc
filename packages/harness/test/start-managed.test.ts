// startManaged on real child processes (node -e scripts): ready on a URL or a check, a process that
// dies on start fails fast with its logs, one that never gets ready is stopped at the deadline.
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { freePort, isListening, ProcessStartError, startManaged } from '../src/index.ts';

/** A node process running `script`, with PORT in its env. */
const node = (script: string, port: number) => ({
  command: process.execPath,
  args: ['-e', script],
  env: { PORT: String(port) },
});

const HTTP_SERVER = `
  const http = require('node:http');
  console.log('listening soon on ' + process.env.PORT);
  // Not ready at once: the first probes must see a refused connection and keep polling.
  setTimeout(() => {
    http.createServer((req, res) => res.end(req.url === '/ready' ? 'ready' : 'hello from ' + req.url))
      .listen(Number(process.env.PORT), '127.0.0.1');
  }, 300);
`;

/** Resolves with what `promise` rejected with; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<ProcessStartError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProcessStartError, `expected a ProcessStartError, got ${error}`);
    return error;
  }
  assert.fail('expected startManaged to throw');
}

describe('startManaged', () => {
  it('returns once readyUrl answers 2xx, with the process running and its logs kept', async () => {
    const port = await freePort();
    const proc = await startManaged({
      name: 'http-server',
      ...node(HTTP_SERVER, port),
      readyUrl: `http://127.0.0.1:${port}/ready`,
      timeoutMs: 10_000,
    });
    try {
      assert.equal(proc.running, true);
      const response = await fetch(`http://127.0.0.1:${port}/items/7`);
      assert.equal(await response.text(), 'hello from /items/7');
      assert.match(proc.logs(), new RegExp(`----- http-server -----\\nlistening soon on ${port}`));
    } finally {
      await proc.stop();
    }
    assert.equal(proc.running, false);
    assert.equal(await isListening(port), false);
  });

  it('accepts a ready() check instead of a URL (a port that accepts connections)', async () => {
    const port = await freePort();
    const proc = await startManaged({
      name: 'port-check',
      ...node(HTTP_SERVER, port),
      ready: () => isListening(port),
      timeoutMs: 10_000,
    });
    try {
      assert.equal(await isListening(port), true);
    } finally {
      await proc.stop();
    }
  });

  it('fails fast when the process exits before it is ready, naming the command and showing its logs', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await rejection(
      startManaged({
        name: 'dies-on-start',
        ...node("console.log('reading config'); console.error('fatal: bad key FOO_PORT'); process.exit(3)", port),
        readyUrl: `http://127.0.0.1:${port}/ready`,
        timeoutMs: 20_000,
      }),
    );
    const elapsed = Date.now() - started;
    assert.equal(error.code, 'HARNESS_PROCESS_EXITED');
    assert.match(error.message, /^HARNESS_PROCESS_EXITED: dies-on-start \(/);
    assert.ok(error.message.includes(`${process.execPath} -e console.log('reading config')`), error.message);
    assert.match(error.message, /exited with 3 before it was ready \(GET http:\/\/127\.0\.0\.1:\d+\/ready\)/);
    assert.match(error.message, /----- dies-on-start: last \d+ of \d+ kept lines -----/);
    assert.match(error.message, /reading config[\s\S]*fatal: bad key FOO_PORT/);
    assert.match(error.logs, /fatal: bad key FOO_PORT/);
    // Not the 20 s deadline: the exit ends the wait.
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
  });

  it('reports a command that cannot be spawned as an early exit', async () => {
    const error = await rejection(
      startManaged({ name: 'missing', command: '/nonexistent/sightline-bin', ready: () => true, timeoutMs: 5000 }),
    );
    assert.equal(error.code, 'HARNESS_PROCESS_EXITED');
    assert.match(error.message, /missing \(\/nonexistent\/sightline-bin\)/);
    assert.match(error.message, /failed to start: spawn \/nonexistent\/sightline-bin ENOENT/);
  });

  it('stops a process that is never ready once the deadline passes, and says what it last saw', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await rejection(
      startManaged({
        name: 'never-ready',
        // Answers 503 forever, and ignores SIGTERM so the stop has to escalate to SIGKILL.
        ...node(
          `process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
           console.log('pid=' + process.pid);
           require('node:http').createServer((req, res) => { res.statusCode = 503; res.end('warming up'); })
             .listen(Number(process.env.PORT), '127.0.0.1');`,
          port,
        ),
        readyUrl: `http://127.0.0.1:${port}/ready`,
        timeoutMs: 1500,
        stopGraceMs: 500,
        errorTailLines: 2,
      }),
    );
    const elapsed = Date.now() - started;
    assert.equal(error.code, 'HARNESS_PROCESS_NOT_READY');
    assert.match(
      error.message,
      /never-ready \([\s\S]+\) was not ready after 1500 ms \(GET http:\/\/127\.0\.0\.1:\d+\/ready; last: http:\/\/127\.0\.0\.1:\d+\/ready answered 503\); stopped it/,
    );
    // The tail is the last 2 lines: the SIGTERM it ignored and the SIGKILL that ended it.
    assert.match(
      error.message,
      /last 2 of 3 kept lines -----\nignoring SIGTERM\n\[never-ready exited with SIGKILL\]\n$/,
    );
    assert.ok(elapsed >= 1500 && elapsed < 10_000, `took ${elapsed} ms`);
    const pid = Number(/pid=(\d+)/.exec(error.logs)?.[1]);
    assert.ok(pid > 0, error.logs);
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} still exists`);
    assert.equal(await isListening(port), false);
  });

  it("keeps stderr only with logs.stdout 'ignore'", async () => {
    const port = await freePort();
    const error = await rejection(
      startManaged({
        name: 'quiet-stdout',
        ...node("console.log('stdout line'); console.error('stderr line'); process.exit(1)", port),
        logs: { stdout: 'ignore' },
        ready: () => false,
        timeoutMs: 5000,
      }),
    );
    assert.match(error.logs, /stderr line/);
    assert.doesNotMatch(error.logs, /stdout line/);
  });

  it('refuses options that could never be ready', async () => {
    await assert.rejects(
      startManaged({ name: 'no-check', command: process.execPath, args: ['-e', ''] }),
      /startManaged\(no-check\): give readyUrl or ready/,
    );
  });
});
