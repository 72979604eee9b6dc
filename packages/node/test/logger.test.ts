import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { resolveConfig } from '../src/config.ts';
import { LoadMeter } from '../src/load.ts';
import { createLogger, InfoSampler } from '../src/logger.ts';
import { ipPrefix } from '../src/prefix.ts';
import { scrubString } from '../src/redact.ts';
import { captureJsonLines } from './log-capture.ts';

const config = resolveConfig({ serviceName: 'divan-api', environment: 'test', commit: 'abc123' }, {}).config;
const alwaysHigh = { high: () => true };
const neverHigh = { high: () => false };

describe('logger', () => {
  it('writes JSON lines with ts, level, msg, service, env and commit', async () => {
    const { lines, destination } = captureJsonLines();
    const logger = createLogger({ config, sampler: new InfoSampler(1, neverHigh), destination, exportLogs: false });
    logger.info({ route: '/users/:id', status: 200, latency_ms: 3.2 }, 'request completed');
    await new Promise((r) => setImmediate(r));
    const line = lines[0];
    assert.ok(line);
    assert.match(String(line.ts), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(
      { ...line, ts: undefined },
      {
        ts: undefined,
        level: 'info',
        msg: 'request completed',
        service: 'divan-api',
        env: 'test',
        commit: 'abc123',
        route: '/users/:id',
        status: 200,
        latency_ms: 3.2,
      },
    );
  });

  it('redacts tokens, passwords, emails, file keys, exact geo and message bodies', async () => {
    const { lines, destination } = captureJsonLines();
    const logger = createLogger({ config, sampler: new InfoSampler(1, neverHigh), destination, exportLogs: false });
    logger.info(
      {
        password: 'hunter2',
        token: 'abc',
        user: { email: 'ada@example.com', refreshToken: 'r1', name: 'Ada' },
        file_key: 'uploads/ada/passport.jpg',
        lat: 41.0082,
        lng: 28.9784,
        body: 'hello secret message',
        message_body: 'private',
        note: 'contact ada@example.com with Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij',
        headers: { authorization: 'Bearer zzz' },
      },
      'mail from bob@example.org',
    );
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines[0]);
    for (const secret of [
      'hunter2',
      'ada@example.com',
      'bob@example.org',
      'r1',
      'passport',
      '41.0082',
      '28.9784',
      'secret message',
      'private',
      'eyJhbGci',
      'zzz',
    ]) {
      assert.ok(!text.includes(secret), `${secret} leaked in ${text}`);
    }
    assert.equal((lines[0]?.user as Record<string, unknown> | undefined)?.name, 'Ada');
    assert.equal(lines[0]?.msg, 'mail from [email]');
  });

  it('scrubs child-logger bindings like logged objects (no pino redact paths behind them)', async () => {
    const { lines, destination } = captureJsonLines();
    const logger = createLogger({ config, sampler: new InfoSampler(1, neverHigh), destination, exportLogs: false });
    const child = logger.child({
      reqId: 'req-1',
      token: 'tok-secret',
      req: { headers: { authorization: 'Bearer abcdefgh', cookie: 'sid=1', 'user-agent': 'curl/8' } },
      owner: 'ada@example.com',
    });
    child.info('bound');
    await new Promise((r) => setImmediate(r));
    const line = lines[0] as Record<string, unknown> & { req: { headers: Record<string, unknown> } };
    assert.equal(line.reqId, 'req-1');
    assert.equal(line.token, '[redacted]');
    assert.equal(line.req.headers.authorization, '[redacted]');
    assert.equal(line.req.headers.cookie, '[redacted]');
    assert.equal(line.req.headers['user-agent'], 'curl/8');
    assert.equal(line.owner, '[email]');
  });

  it('passes the SDK-shaped ids through unscanned and still scrubs anything else under their keys', async () => {
    const { lines, destination } = captureJsonLines();
    const logger = createLogger({ config, sampler: new InfoSampler(1, neverHigh), destination, exportLogs: false });
    const ids = {
      request_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
    };
    logger.info(ids, 'ids');
    logger.info({ request_id: 'ada@example.com', trace_id: 'Bearer abcdefghij', span_id: 'x' }, 'not ids');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      { request_id: lines[0]?.request_id, trace_id: lines[0]?.trace_id, span_id: lines[0]?.span_id },
      ids,
    );
    assert.equal(lines[1]?.request_id, '[email]');
    assert.equal(lines[1]?.trace_id, 'Bearer [redacted]');
  });

  it('truncates arrays and maps past 10 items', async () => {
    const { lines, destination } = captureJsonLines();
    const logger = createLogger({ config, sampler: new InfoSampler(1, neverHigh), destination, exportLogs: false });
    const big: Record<string, number> = {};
    for (let i = 0; i < 15; i++) big[`k${i}`] = i;
    logger.info({ ids: Array.from({ length: 25 }, (_, i) => i), big, map: new Map([['a', 1]]) }, 'lists');
    await new Promise((r) => setImmediate(r));
    const line = lines[0] as { ids: unknown[]; big: Record<string, unknown> };
    assert.equal(line.ids.length, 11);
    assert.equal(line.ids[10], '[+15 more]');
    assert.equal(Object.keys(line.big).length, 11);
    assert.equal(line.big._truncated, 5);
  });

  it('keeps 1 in 10 info lines under high load and never samples warnings or errors', async () => {
    const { lines, destination } = captureJsonLines();
    const logger = createLogger({ config, sampler: new InfoSampler(0.1, alwaysHigh), destination, exportLogs: false });
    for (let i = 0; i < 100; i++) logger.info({ i }, 'info');
    for (let i = 0; i < 20; i++) logger.error({ i }, 'error');
    for (let i = 0; i < 20; i++) logger.warn({ i }, 'warn');
    await new Promise((r) => setImmediate(r));
    assert.equal(lines.filter((l) => l.level === 'info').length, 10);
    assert.equal(lines.filter((l) => l.level === 'error').length, 20);
    assert.equal(lines.filter((l) => l.level === 'warn').length, 20);
  });

  it('keeps every info line when load is normal', async () => {
    const { lines, destination } = captureJsonLines();
    const logger = createLogger({ config, sampler: new InfoSampler(0.1, neverHigh), destination, exportLogs: false });
    for (let i = 0; i < 30; i++) logger.info('info');
    await new Promise((r) => setImmediate(r));
    assert.equal(lines.length, 30);
  });

  it('measures load as requests in the last complete second', () => {
    const meter = new LoadMeter(5);
    for (let i = 0; i < 10; i++) meter.hit(1000 + i);
    assert.equal(meter.high(1500), false, 'the current window is not complete yet');
    assert.equal(meter.rate(2100), 10);
    assert.equal(meter.high(2100), true);
    assert.equal(meter.rate(4000), 0, 'an idle second resets the rate');
  });

  it('reduces IPs to prefixes and scrubs secrets in query strings', () => {
    assert.equal(ipPrefix('203.0.113.77'), '203.0.0.0/16');
    assert.equal(ipPrefix('::ffff:10.1.2.3'), '10.1.0.0/16');
    assert.equal(ipPrefix('2001:db8:1:2::1'), '2001:db8::/32');
    assert.equal(scrubString('/download?token=abc123&x=1'), '/download?token=[redacted]&x=1');
  });
});
