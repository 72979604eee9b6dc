import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'vitest';
import { isListening, startPostgres, startRedis } from '../src/index.ts';

test('redis starts on loopback, stops, and comes back on the same port', async () => {
  const redis = await startRedis();
  try {
    assert.equal(
      execFileSync('redis-cli', ['-p', String(redis.port), 'PING'])
        .toString()
        .trim(),
      'PONG',
    );
    await redis.stop();
    assert.equal(await isListening(redis.port), false);
    await redis.start();
    assert.equal(
      execFileSync('redis-cli', ['-p', String(redis.port), 'PING'])
        .toString()
        .trim(),
      'PONG',
    );
  } finally {
    await redis.stop();
  }
});

test('postgres starts a throwaway cluster that answers SELECT 1, and restarts with its data', async () => {
  const pg = await startPostgres();
  const psql = (sql: string) => execFileSync('psql', [pg.url, '-tAc', sql]).toString().trim();
  try {
    assert.equal(psql('SELECT 1'), '1');
    psql('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await pg.stop();
    assert.equal(await isListening(pg.port), false);
    await pg.start();
    assert.equal(psql('SELECT n FROM kept'), '42');
  } finally {
    await pg.stop();
  }
});
