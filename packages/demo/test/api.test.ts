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

describe('presence and proximity', () => {
  test('heartbeats are validated against known campuses, geofence and clock', async () => {
    const user = await signUp(divan, 'dora');
    const beat = (payload: object, headers: object = user.auth) =>
      divan.app.inject({ method: 'POST', url: '/presence/heartbeat', headers, payload });
    assert.equal((await beat(MAIN)).statusCode, 200);
    const unknown = await beat({ ...MAIN, campus_id: 'atlantis' });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error, 'unknown_campus');
    assert.equal((await beat({ ...MAIN, lat: 40.0 })).json().error, 'outside_campus');
    assert.equal((await beat({ ...MAIN, lat: 123 })).json().message, 'body.lat: expected a latitude in [-90, 90]');
    assert.equal((await beat({ ...MAIN, ts: Date.now() - 3_600_000 })).json().error, 'stale');
    assert.equal((await beat(MAIN, {})).statusCode, 401);
  });

  test('nearby finds users within the radius, rounded to 10 m, and never the caller', async () => {
    // East of the campus centre, away from the other tests' users.
    const base = { ...MAIN, lon: MAIN.lon + 0.01 };
    const me = await signUp(divan, 'erin');
    const near = await signUp(divan, 'frank');
    const far = await signUp(divan, 'gina');
    for (const [user, lat] of [
      [me, base.lat],
      [near, base.lat + 0.0005], // ~56 m north
      [far, base.lat + 0.009], // ~1 km north
    ] as const) {
      const r = await divan.app.inject({
        method: 'POST',
        url: '/presence/heartbeat',
        headers: user.auth,
        payload: { ...base, lat },
      });
      assert.equal(r.statusCode, 200);
    }
    const nearby = await divan.app.inject({
      url: `/proximity/nearby?campus_id=main&lat=${base.lat}&lon=${base.lon}&radius=100`,
      headers: me.auth,
    });
    assert.equal(nearby.statusCode, 200, nearby.body);
    const users = nearby.json().users as Array<{ user_id: string; distance_m: number }>;
    assert.deepEqual(
      users.map((u) => u.user_id),
      [near.id],
    );
    assert.equal((users[0]?.distance_m ?? 0) % 10, 0);
    const tooWide = await divan.app.inject({
      url: `/proximity/nearby?campus_id=main&lat=${MAIN.lat}&lon=${MAIN.lon}&radius=99999`,
      headers: me.auth,
    });
    assert.equal(tooWide.statusCode, 400);
    assert.match(tooWide.json().message, /^query\.radius/);
    const noAuth = await divan.app.inject(`/proximity/nearby?campus_id=main&lat=1&lon=1`);
    assert.equal(noAuth.statusCode, 401);
  });
});

describe('invites, friendships, chat and rooms', () => {
  test('an accepted invite makes friends who can chat, with delivered and read receipts', async () => {
    const hana = await signUp(divan, 'hana');
    const ivan = await signUp(divan, 'ivan');
    const notFriends = await divan.app.inject({
      method: 'POST',
      url: '/chat/messages',
      headers: hana.auth,
      payload: { to_user_id: ivan.id, body: 'hi' },
    });
    assert.equal(notFriends.statusCode, 403);
    const invite = await divan.app.inject({
      method: 'POST',
      url: '/invites',
      headers: hana.auth,
      payload: { to_user_id: ivan.id },
    });
    assert.equal(invite.statusCode, 201);
    const twice = await divan.app.inject({
      method: 'POST',
      url: '/invites',
      headers: hana.auth,
      payload: { to_user_id: ivan.id },
    });
    assert.equal(twice.statusCode, 409);
    const self = await divan.app.inject({
      method: 'POST',
      url: '/invites',
      headers: hana.auth,
      payload: { to_user_id: hana.id },
    });
    assert.equal(self.statusCode, 400);
    const wrongUser = await divan.app.inject({
      method: 'POST',
      url: `/invites/${invite.json().id}/accept`,
      headers: hana.auth,
    });
    assert.equal(wrongUser.statusCode, 404);
    const accepted = await divan.app.inject({
      method: 'POST',
      url: `/invites/${invite.json().id}/accept`,
      headers: ivan.auth,
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const friends = await divan.app.inject({ url: '/friends', headers: hana.auth });
    assert.deepEqual(friends.json().friends, [{ id: ivan.id, username: 'ivan' }]);

    const sent = await divan.app.inject({
      method: 'POST',
      url: '/chat/messages',
      headers: hana.auth,
      payload: { to_user_id: ivan.id, body: 'hello ivan' },
    });
    assert.equal(sent.statusCode, 201);
    const id = sent.json().id;
    assert.equal(
      (await divan.app.inject({ method: 'POST', url: `/chat/messages/${id}/delivered`, headers: hana.auth }))
        .statusCode,
      404,
    );
    assert.equal(
      (await divan.app.inject({ method: 'POST', url: `/chat/messages/${id}/delivered`, headers: ivan.auth }))
        .statusCode,
      200,
    );
    assert.equal(
      (await divan.app.inject({ method: 'POST', url: `/chat/messages/${id}/read`, headers: ivan.auth })).statusCode,
      200,
    );
    const history = await divan.app.inject({ url: `/chat/messages?with=${hana.id}`, headers: ivan.auth });
    const [message] = history.json().messages;
    assert.equal(message.body, 'hello ivan');
    assert.ok(message.delivered_at && message.read_at);
    const badId = await divan.app.inject({ method: 'POST', url: '/chat/messages/not-a-uuid/read', headers: ivan.auth });
    assert.equal(badId.statusCode, 400);
    assert.equal(badId.json().message, 'params.id: expected a UUID');
  });

  test('rooms: create, join, send; non-members cannot send and unknown rooms are 404', async () => {
    const owner = await signUp(divan, 'jack');
    const guest = await signUp(divan, 'kate');
    const room = await divan.app.inject({
      method: 'POST',
      url: '/rooms',
      headers: owner.auth,
      payload: { name: 'study group' },
    });
    assert.equal(room.statusCode, 201);
    const id = room.json().id;
    const early = await divan.app.inject({
      method: 'POST',
      url: `/rooms/${id}/messages`,
      headers: guest.auth,
      payload: { body: 'hi' },
    });
    assert.equal(early.statusCode, 403);
    assert.equal(
      (await divan.app.inject({ method: 'POST', url: `/rooms/${id}/join`, headers: guest.auth })).json().joined,
      true,
    );
    const sent = await divan.app.inject({
      method: 'POST',
      url: `/rooms/${id}/messages`,
      headers: guest.auth,
      payload: { body: 'hi all' },
    });
    assert.equal(sent.statusCode, 201);
    const missing = await divan.app.inject({
      method: 'POST',
      url: '/rooms/00000000-0000-4000-8000-000000000000/join',
      headers: guest.auth,
    });
    assert.equal(missing.statusCode, 404);
    const empty = await divan.app.inject({
      method: 'POST',
      url: '/rooms',
      headers: owner.auth,
      payload: { name: ' ' },
    });
    assert.equal(empty.statusCode, 400);
  });
});

describe('activities and leaderboards', () => {
  test('completing activities feeds the leaderboard stream; the snapshot job and rollover persist it', async () => {
    const user = await signUp(divan, 'liam');
    const bad = await divan.app.inject({
      method: 'POST',
      url: '/activities',
      headers: user.auth,
      payload: { kind: 'heist', title: 'x' },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /^body\.kind: expected one of study, sport/);
    const created = await divan.app.inject({
      method: 'POST',
      url: '/activities',
      headers: user.auth,
      payload: { kind: 'study', title: 'Linear algebra', points: 25 },
    });
    assert.equal(created.statusCode, 201);
    const done = await divan.app.inject({
      method: 'POST',
      url: `/activities/${created.json().id}/complete`,
      headers: user.auth,
    });
    assert.equal(done.statusCode, 200);
    const again = await divan.app.inject({
      method: 'POST',
      url: `/activities/${created.json().id}/complete`,
      headers: user.auth,
    });
    assert.equal(again.statusCode, 404);

    const board = await waitFor(
      async () => {
        const r = await divan.app.inject({ url: '/leaderboards/daily', headers: user.auth });
        const entry = (r.json().entries as Array<{ user_id: string; points: number }>).find(
          (e) => e.user_id === user.id,
        );
        if (entry?.points !== 25) throw new Error(`leaderboard not updated yet: ${r.body}`);
        return r.json();
      },
      { what: 'the consumer to apply the completed activity', timeoutMs: 10_000 },
    );
    assert.equal(board.period, 'daily');
    assert.equal(await divan.snapshot(), 2);
    const rows = await divan.deps.pool.query(
      "SELECT period, entries FROM leaderboard_snapshots WHERE period = 'daily'",
    );
    assert.ok(rows.rows.some((r) => r.entries.some((e: { user_id: string }) => e.user_id === user.id)));

    const unguarded = await divan.app.inject({ method: 'POST', url: '/ops/rollover' });
    assert.equal(unguarded.statusCode, 401);
    const rollover = await divan.app.inject({
      method: 'POST',
      url: '/ops/rollover',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(rollover.statusCode, 200, rollover.body);
    const fresh = await divan.app.inject({ url: '/leaderboards/daily', headers: user.auth });
    assert.deepEqual(fresh.json().entries, []);
    const allTime = await divan.app.inject({ url: '/leaderboards/all_time', headers: user.auth });
    assert.equal(allTime.json().entries[0]?.points, 25);
    assert.equal((await divan.app.inject({ url: '/leaderboards/weekly', headers: user.auth })).statusCode, 400);
  });
});

describe('files and intents', () => {
  test('public files are served and directory traversal is refused', async () => {
    const ok = await divan.app.inject('/files/welcome.txt');
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /Divan public files/);
    for (const url of ['/files/..%2F..%2Fetc%2Fpasswd', '/files/a/..%2F..%2F..%2Fetc%2Fpasswd', '/files/..%5Csecret']) {
      const r = await divan.app.inject(url);
      assert.equal(r.statusCode, 400, url);
      assert.equal(r.json().error, 'invalid_path');
    }
    assert.equal((await divan.app.inject('/files/missing.txt')).statusCode, 404);
    assert.ok(!logLines.some((line) => line.includes('passwd')), 'the attempted path must not be logged');
  });

  test('signed intents verify once; a bad signature and a replay are refused', async () => {
    const user = await signUp(divan, 'mia');
    const intent = { action: 'join_activity', nonce: 'nonce-0123456789abcdef', ts: Date.now() };
    const signature = signIntent(JWT_SECRET, intentPayload(user.id, intent));
    const post = (payload: object) =>
      divan.app.inject({ method: 'POST', url: '/intents', headers: user.auth, payload });
    assert.equal((await post({ ...intent, signature })).statusCode, 200);
    assert.equal((await post({ ...intent, signature })).statusCode, 409);
    assert.equal((await post({ ...intent, nonce: 'nonce-other-0123456789', signature })).statusCode, 401);
    assert.equal((await post({ ...intent, signature: 'zz' })).statusCode, 400);
  });
});

describe('rate limiting', () => {
  test('a bucket over its limit answers 429 with Retry-After, per caller', async () => {
    const limited = await buildApp(
      stack.config({ RATE_LIMIT_AUTH: '3', REDIS_URL: `${stack.redis.url}/1`, MIGRATE_ON_START: 'false' }),
      { sightline: divan.deps.obs.sightline, consumer: false },
    );
    try {
      const attempt = (remoteAddress: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/auth/login',
          remoteAddress,
          payload: { username: 'nobody', password: 'wrong password!' },
        });
      for (let i = 0; i < 3; i++) assert.equal((await attempt('198.51.100.7')).statusCode, 401);
      const blocked = await attempt('198.51.100.7');
      assert.equal(blocked.statusCode, 429);
      assert.ok(Number(blocked.headers['retry-after']) >= 1);
      assert.equal(blocked.json().error, 'rate_limited');
      assert.equal((await attempt('198.51.100.8')).statusCode, 401, 'another caller has its own budget');
    } finally {
      await limited.close();
    }
  });
});
