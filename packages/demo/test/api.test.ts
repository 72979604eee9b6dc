import assert from 'node:assert/strict';
import { waitFor } from '@sightline/harness';
import { init, type Sightline } from '@sightline/node';
import type { Socket } from 'socket.io-client';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { businessCatalog, DIVAN_CATALOGS, domainCatalog } from '../src/metrics/index.ts';
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
let sightline: Sightline;
const logLines: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  const memory = inMemorySightline(logLines);
  metrics = memory.metrics;
  sightline = memory.sightline;
  divan = await buildApp(stack.config({ LOGIN_MAX_FAILURES: '3' }), { sightline: memory.sightline });
});

afterAll(async () => {
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

  test("startup reports Divan's own settings checks next to the SDK's", async () => {
    const startup = await divan.app.inject('/health/startup');
    assert.equal(startup.statusCode, 200, startup.body);
    const body = startup.json() as { status: string; checks: Record<string, { ok: boolean }> };
    assert.equal(body.status, 'ok');
    assert.deepEqual(Object.keys(body.checks).sort(), [
      'config',
      'database_url',
      'jwt_secret',
      'otlp_endpoint',
      'redis_url',
    ]);
    for (const [name, check] of Object.entries(body.checks)) assert.equal(check.ok, true, name);
    assert.doesNotMatch(startup.body, /test-secret/);
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
    const beat = (payload: object, headers: Record<string, string> = user.auth) =>
      divan.app.inject({ method: 'POST', url: '/presence/heartbeat', headers, payload });
    assert.equal((await beat(MAIN)).statusCode, 200);
    const unknown = await beat({ ...MAIN, campus_id: 'atlantis' });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error, 'unknown_campus');
    assert.equal((await beat({ ...MAIN, lat: 40.0 })).json().error, 'outside_campus');
    assert.equal(
      (await beat({ ...MAIN, lat: 123 })).json().message,
      'body.lat: expected a latitude in [-85.05112878, 85.05112878]',
    );
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
        return r.json() as { period: string };
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
      // Its own Sightline: probes registered on the shared one would replace the main app's.
      {
        sightline: init({ enabled: false, catalogs: DIVAN_CATALOGS, logDestination: { write: () => {} } }),
        consumer: false,
      },
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

/** Connects a real socket.io client; resolves once connected, rejects with the server's refusal. */
function client(url: string, token: string | undefined): Promise<Socket> {
  const socket = connect(url, { transports: ['websocket'], reconnection: false, auth: token ? { token } : {} });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

async function clientsGauge(): Promise<unknown> {
  const points = await metrics.points('divan.socketio.clients');
  return points.find((p) => p.attributes.namespace === '/')?.value ?? 0;
}

describe('socket.io', () => {
  let url: string;
  beforeAll(async () => {
    url = await divan.listen();
  });

  test('authenticated clients chat in real time with receipts and rooms; bad payloads get a validation ack', async () => {
    await assert.rejects(client(url, undefined), /missing_token/);
    await assert.rejects(client(url, 'not-a-token'), /invalid_token/);
    const nour = await signUp(divan, 'nour');
    const omar = await signUp(divan, 'omar');
    const invite = await divan.app.inject({
      method: 'POST',
      url: '/invites',
      headers: nour.auth,
      payload: { to_user_id: omar.id },
    });
    await divan.app.inject({ method: 'POST', url: `/invites/${invite.json().id}/accept`, headers: omar.auth });
    const nourSocket = await client(url, nour.access);
    const omarSocket = await client(url, omar.access);
    try {
      const received = new Promise<{ id: string; body: string }>((resolve) => nourSocket.once('chat:message', resolve));
      const ack = await omarSocket.emitWithAck('chat:send', { to_user_id: nour.id, body: 'over the socket' });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      const message = await received;
      assert.equal(message.body, 'over the socket');
      const readNotice = new Promise((resolve) => omarSocket.once('chat:read', resolve));
      assert.equal((await nourSocket.emitWithAck('chat:delivered', { message_id: message.id })).ok, true);
      assert.equal((await nourSocket.emitWithAck('chat:read', { message_id: message.id })).ok, true);
      assert.deepEqual(await readNotice, { id: message.id });

      const invalid = await nourSocket.emitWithAck('chat:send', { to_user_id: 'nope', body: '' });
      assert.equal(invalid.ok, false);
      assert.equal(invalid.error, 'validation');
      const stranger = await nourSocket.emitWithAck('chat:send', { to_user_id: nour.id, body: 'me?' });
      assert.equal(stranger.error, 'self_message');

      const room = await divan.app.inject({
        method: 'POST',
        url: '/rooms',
        headers: nour.auth,
        payload: { name: 'live' },
      });
      const roomId = room.json().id;
      assert.equal((await nourSocket.emitWithAck('room:join', { room_id: roomId })).ok, true);
      assert.equal((await omarSocket.emitWithAck('room:join', { room_id: roomId })).ok, true);
      const roomMessage = new Promise<{ body: string }>((resolve) => nourSocket.once('room:message', resolve));
      assert.equal((await omarSocket.emitWithAck('room:send', { room_id: roomId, body: 'hello room' })).ok, true);
      assert.equal((await roomMessage).body, 'hello room');
      assert.equal(await clientsGauge(), 2);
    } finally {
      nourSocket.close();
      omarSocket.close();
    }
    await waitFor(async () => (await clientsGauge()) === 0, { what: 'the clients gauge to drop to 0' });
  });

  test('a storm of 200 connect/disconnect cycles leaves the clients gauge at exactly the connected count', async () => {
    const user = await signUp(divan, 'storm');
    const keep: Socket[] = [];
    try {
      for (let batch = 0; batch < 10; batch++) {
        const sockets = await Promise.all(Array.from({ length: 20 }, () => client(url, user.access)));
        // Keep one socket per batch; half of the rest leave cleanly, half vanish without a goodbye.
        keep.push(sockets.shift() as Socket);
        sockets.forEach((socket, i) => {
          if (i % 2 === 0) socket.disconnect();
          else socket.io.engine.close();
        });
      }
      await waitFor(async () => (await clientsGauge()) === keep.length, {
        what: `the clients gauge to settle at ${keep.length}`,
        timeoutMs: 20_000,
      });
      assert.equal(divan.io.of('/').sockets.size, keep.length);
    } finally {
      for (const socket of keep) socket.close();
    }
    await waitFor(async () => (await clientsGauge()) === 0, { what: 'the clients gauge to drop to 0' });
  });
});

describe('dependency outage', () => {
  test('while Redis is down requests fail fast with 500, readiness is 503, and both recover', async () => {
    const user = await signUp(divan, 'pia');
    await stack.redis.stop();
    try {
      const me = await divan.app.inject({ url: '/me', headers: user.auth });
      assert.equal(me.statusCode, 500);
      assert.deepEqual(me.json(), { error: 'internal', message: 'internal error' });
      const ready = await divan.app.inject('/health/ready');
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().checks.redis.ok, false);
      assert.equal(ready.json().checks.postgres.ok, true, ready.body);
    } finally {
      await stack.redis.start();
    }
    await waitFor(async () => (await divan.app.inject('/health/ready')).statusCode === 200, {
      what: 'readiness to recover after Redis restarts',
      timeoutMs: 20_000,
    });
    // Redis restarted empty: the consumer recreates its group and keeps feeding the leaderboard.
    const activity = await divan.app.inject({
      method: 'POST',
      url: '/activities',
      headers: user.auth,
      payload: { kind: 'sport', title: 'Run', points: 7 },
    });
    await divan.app.inject({ method: 'POST', url: `/activities/${activity.json().id}/complete`, headers: user.auth });
    await waitFor(
      async () => {
        const board = await divan.app.inject({ url: '/leaderboards/all_time', headers: user.auth });
        return board.json().entries?.some((e: { user_id: string }) => e.user_id === user.id);
      },
      { what: 'the leaderboard consumer to resume', timeoutMs: 20_000 },
    );
  });
});

/**
 * Catalog metrics the service intentionally does not emit: the business metrics of specs 000 and
 * 002-004 (payments, subscriptions, DORA, workflows, cache, community). Divan has none of those
 * features; a service that does opts in with `createDomainMetrics(sightline, businessCatalog)`.
 */
const OPT_IN = Object.keys(businessCatalog.metrics);

describe('metrics', () => {
  // Divan's metrics and the SDK's own (jobs, Socket.IO, unhandled exceptions), under Divan's namespace.
  const sdk = () => sightline.catalogs[0];
  type MetricId = keyof typeof domainCatalog.metrics | keyof ReturnType<typeof sdk>['metrics'];
  const lookup = (id: MetricId) =>
    id in domainCatalog.metrics
      ? {
          name: domainCatalog.instruments[id as keyof typeof domainCatalog.metrics].name,
          labels: domainCatalog.metrics[id as keyof typeof domainCatalog.metrics].labels,
        }
      : {
          name: sdk().instruments[id as keyof ReturnType<typeof sdk>['metrics']].name,
          labels: sdk().metrics[id as keyof ReturnType<typeof sdk>['metrics']].labels,
        };
  const expectPoint = async (id: MetricId, attributes: Record<string, unknown> = {}) => {
    const { name, labels } = lookup(id);
    const points = await metrics.points(name);
    const match = points.find((p) => Object.entries(attributes).every(([key, value]) => p.attributes[key] === value));
    assert.ok(match, `${name}${JSON.stringify(attributes)} not found among ${JSON.stringify(points)}`);
    // Label names are exactly the catalog's.
    assert.deepEqual(Object.keys(match.attributes).sort(), Object.keys(labels).sort(), name);
  };

  test('after the scripted session every domain metric was emitted with its labels', async () => {
    await expectPoint('identityLogins', { outcome: 'success' });
    await expectPoint('identityLogins', { outcome: 'fail' });
    await expectPoint('identityLogins', { outcome: 'locked' });
    await expectPoint('identityRejects', { reason: 'missing_token' });
    await expectPoint('identityRejects', { reason: 'revoked_token' });
    await expectPoint('identityRejects', { reason: 'locked' });
    await expectPoint('authFailures', { reason: 'invalid_credentials' });
    await expectPoint('authFailures', { reason: 'locked' });
    await expectPoint('authFailuresByIp', { ip_prefix: '203.0.0.0/16' });
    await expectPoint('authFailuresByUser');
    await expectPoint('refreshRotations');
    await expectPoint('refreshFailures', { reason: 'reused' });
    await expectPoint('refreshFailures', { reason: 'revoked' });
    await expectPoint('refreshFailures', { reason: 'invalid' });
    await expectPoint('tokensIssued', { token_type: 'access' });
    await expectPoint('tokensIssued', { token_type: 'refresh' });
    await expectPoint('tokensRevoked', { token_type: 'access' });
    await expectPoint('tokensRevoked', { token_type: 'refresh' });
    await expectPoint('authSessionsActive');
    await expectPoint('securityEvents', { type: 'directory_traversal' });
    await expectPoint('securityEvents', { type: 'token_reuse' });
    await expectPoint('securityEvents', { type: 'brute_force' });
    await expectPoint('intentsVerified');
    await expectPoint('intentsFailedSig');
    await expectPoint('intentsReplay');
    await expectPoint('rateLimitHits', { bucket: 'auth' });
    await expectPoint('blockedRequests', { reason: 'rate_limit' });
    await expectPoint('blockedRequests', { reason: 'lockout' });
    await expectPoint('blockedRequests', { reason: 'security' });
    await expectPoint('requestsByIp', { ip_prefix: '198.51.0.0/16' });
    await expectPoint('socketioClients', { namespace: '/' });
    await expectPoint('socketioEvents', { namespace: '/', event: 'chat:send' });
    await expectPoint('socketioEvents', { namespace: '/', event: 'room:send' });
    await expectPoint('socketioMessages', { type: 'chat' });
    await expectPoint('socketioMessages', { type: 'receipt' });
    await expectPoint('socketioRoomSize', { namespace: '/' });
    await expectPoint('presenceHeartbeats', { campus_id: 'main' });
    for (const reason of ['validation', 'unknown_campus', 'outside_campus', 'stale', 'unauthenticated']) {
      await expectPoint('presenceRejects', { reason });
    }
    await expectPoint('proximityQueries', { radius: '100' });
    await expectPoint('proximityQueryDuration', { radius: '100' });
    for (const id of [
      'invitesSent',
      'invitesAccept',
      'friendshipsAccepted',
      'chatSend',
      'chatDeliveredUpdates',
      'chatReadUpdates',
      'roomsCreated',
      'roomsJoin',
      'roomsSend',
    ] as const) {
      await expectPoint(id);
    }
    await expectPoint('activitiesCreated', { kind: 'study' });
    await expectPoint('activitiesCompleted', { kind: 'study' });
    await expectPoint('lbEventsProcessed', { stream: 'lb_events' });
    await expectPoint('lbSnapshots', { period: 'daily', scope: 'global' });
    await expectPoint('lbSnapshots', { period: 'all_time', scope: 'global' });
    await expectPoint('redisUp');
    await expectPoint('postgresUp');
    await expectPoint('redisLatency');
    await expectPoint('postgresLatency');
    await expectPoint('dbConnections', { state: 'active' });
    await expectPoint('dbConnections', { state: 'idle' });
    await expectPoint('redisQueueLag', { stream: 'lb_events' });
    await expectPoint('unhandledExceptions');
    await expectPoint('jobsRuns', { name: 'leaderboard_snapshot', result: 'success' });
    await expectPoint('jobsRuns', { name: 'leaderboard_rollover', result: 'success' });
    await expectPoint('jobsDuration', { name: 'leaderboard_snapshot' });
  });

  test('every domain-catalog metric is emitted; only the opt-in business metrics are not', async () => {
    const emitted = new Set(await metrics.names());
    const missing = [domainCatalog, sdk()]
      .flatMap((catalog) => Object.values(catalog.instruments).map((instrument) => instrument.name))
      .filter((name) => !emitted.has(name));
    assert.deepEqual(missing, []);
    const optIn = OPT_IN.map((id) => businessCatalog.instruments[id as keyof typeof businessCatalog.metrics].name);
    assert.deepEqual(
      optIn.filter((name) => emitted.has(name)),
      [],
      'opt-in metrics the service does emit must leave the opt-in list',
    );
    assert.ok(OPT_IN.length > 0);
  });

  test('no log line carries a token, password or exact coordinate', () => {
    const joined = logLines.join('\n');
    assert.ok(logLines.length > 0);
    assert.doesNotMatch(joined, /eyJ[A-Za-z0-9_-]{10,}/, 'a JWT leaked into the logs');
    assert.doesNotMatch(joined, /correct horse battery/);
    assert.doesNotMatch(joined, /41\.0082|28\.9784/);
  });
});
