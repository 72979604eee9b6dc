import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@sightline/harness';
import { io as connect } from 'socket.io-client';
import { intentPayload, signIntent } from '../src/routes/intents.ts';
import {
  ADMIN_TOKEN,
  buildApp,
  type DivanApp,
  inMemorySightline,
  JWT_SECRET,
  type Metrics,
  type Stack,
  signUp,
  startStack,
} from './helpers.ts';

const MAIN = { campus_id: 'main', lat: 41.0082, lon: 28.9784 };

let stack: Stack;
let divan: DivanApp;
let metrics: Metrics;
const logLines: string[] = [];

before(async () => {
  stack = await startStack();
  const memory = inMemorySightline(logLines);
  metrics = memory.metrics;
  divan = await buildApp(stack.config({ LOGIN_MAX_FAILURES: '3' }), { sightline: memory.sightline });
});

after(async () => {
  await divan?.close();
  await stack?.stop();
});

describe('health', () => {
  test('live answers ok and ready reports redis, postgres and migration 0008', async () => {
    const live = await divan.app.inject('/health/live');
    assert.equal(live.statusCode, 200);
    const ready = await divan.app.inject('/health/ready');
    assert.equal(ready.statusCode, 200, ready.body);
    const body = ready.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.checks.redis.ok, true);
    assert.equal(body.checks.postgres.ok, true);
    assert.equal(body.checks.migrations.version, '0008');
  });
});

describe('auth', () => {
  test('register validates input and refuses a taken username', async () => {
    const bad = await divan.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { username: 'A', password: 'x' },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /^body\.username: expected 3-32 chars/);
    const notJson = await divan.app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    assert.equal(notJson.statusCode, 400);
    await signUp(divan, 'alice');
    const again = await divan.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { username: 'alice', password: 'another long password' },
    });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error, 'username_taken');
  });

  test('a protected route refuses missing, malformed and forged tokens with 401', async () => {
    assert.equal((await divan.app.inject('/me')).json().error, 'missing_token');
    const forged = await divan.app.inject({ url: '/me', headers: { authorization: 'Bearer abc.def.ghi' } });
    assert.equal(forged.statusCode, 401);
    assert.equal(forged.json().error, 'invalid_token');
  });

  test('wrong passwords lock the account after LOGIN_MAX_FAILURES and the right one is then refused', async () => {
    await signUp(divan, 'mallory');
    for (let i = 0; i < 3; i++) {
      const wrong = await divan.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'mallory', password: 'wrong password!' },
        remoteAddress: '203.0.113.9',
      });
      assert.equal(wrong.statusCode, 401);
    }
    const locked = await divan.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'mallory', password: 'correct horse battery' },
    });
    assert.equal(locked.statusCode, 423);
    assert.equal(locked.json().error, 'account_locked');
    const unknown = await divan.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'nobody', password: 'whatever password' },
    });
    assert.equal(unknown.statusCode, 401);
  });

  test('refresh rotates; reusing a rotated token revokes the whole session', async () => {
    const user = await signUp(divan, 'bob');
    const first = await divan.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: user.refresh },
    });
    assert.equal(first.statusCode, 200, first.body);
    const rotated = first.json();
    assert.notEqual(rotated.refresh_token, user.refresh);
    const reuse = await divan.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: user.refresh },
    });
    assert.equal(reuse.statusCode, 401);
    assert.equal(reuse.json().error, 'token_reused');
    const afterReuse = await divan.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: rotated.refresh_token },
    });
    assert.equal(afterReuse.statusCode, 401);
    assert.equal(afterReuse.json().error, 'revoked_token');
    const access = await divan.app.inject({ url: '/me', headers: { authorization: `Bearer ${rotated.access_token}` } });
    assert.equal(access.statusCode, 401);
    assert.equal(access.json().error, 'revoked_token');
    const garbage = await divan.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: 'nope' },
    });
    assert.equal(garbage.statusCode, 401);
  });

  test('logout ends the session: its access and refresh tokens stop working', async () => {
    const user = await signUp(divan, 'carol');
    assert.equal((await divan.app.inject({ url: '/me', headers: user.auth })).json().username, 'carol');
    const out = await divan.app.inject({ method: 'POST', url: '/auth/logout', headers: user.auth });
    assert.equal(out.statusCode, 204);
    assert.equal((await divan.app.inject({ url: '/me', headers: user.auth })).statusCode, 401);
    const refresh = await divan.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: user.refresh },
    });
    assert.equal(refresh.json().error, 'revoked_token');
  });
});
