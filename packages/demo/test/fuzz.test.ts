// Property-based fuzz of every Divan route and Socket.IO event against the real service (listening
// on loopback, real PostgreSQL and Redis): inputs are mostly valid with hostile values mixed in
// (NUL characters, unpaired UTF-16 surrogates, oversized strings, out-of-range and non-finite
// numbers, wrong types). The service must answer 4xx, never 5xx, and Socket.IO must never ack
// `internal`. A fixed table of the hostile values PostgreSQL or Redis reject also runs field by field.
import { init } from '@sightline/node';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIVAN_CATALOGS } from '../src/metrics/index.ts';
import { intentPayload, signIntent } from '../src/routes/intents.ts';
import { buildApp, type DivanApp, JWT_SECRET, type Stack, signUp, startStack } from './helpers.ts';

/** Runs per route; each run is one request. @default 60 (FUZZ_RUNS) */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const MAIN = { campus_id: 'main', lat: 41.0082, lon: 28.9784 };

// ---- hostile values -------------------------------------------------------------------------
const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];
/** Text PostgreSQL (`text` refuses NUL) or the UTF-8 drivers (unpaired surrogates) cannot store. */
const REJECTED_TEXT: Record<string, string> = {
  nul: 'hello\u0000world',
  'lone high surrogate': 'hi \ud83d there',
  'lone low surrogate': '\ude00 trailing',
  oversized: 'x'.repeat(20_000),
};
const nulText = fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })).map(([a, b]) => `${a}\u0000${b}`);
const loneText = fc
  .tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...LONE_SURROGATES), fc.string({ maxLength: 12 }))
  .map(([a, s, b]) => `${a}${s}${b}`);
const bigText = fc.integer({ min: 4_001, max: 30_000 }).map((n) => 'é'.repeat(n));
const hostileText = fc.oneof(nulText, loneText, bigText, fc.string({ unit: 'binary', maxLength: 40 }), fc.constant(''));
const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    1e308,
    -1e308,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 63,
    -1,
    0,
    0.5,
    85.06,
    90,
    -91,
    181,
    1e-320,
  ),
);
const hostile = fc.oneof(
  { arbitrary: hostileText, weight: 4 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  { arbitrary: fc.constantFrom(null, true, [], {}), weight: 1 },
);
/** A field: usually its valid value, so the other fields' hostile values get past the first check. */
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: hostile as fc.Arbitrary<unknown>, weight: 1 });
const text = (min: number, max: number) =>
  fc.string({ minLength: min, maxLength: max }).filter((s) => s.trim().length > 0);

// ---- encoding hostile values into paths and query strings -------------------------------------
/**
 * Percent-encodes any value, unpaired surrogates included (as their 3 raw bytes, invalid UTF-8).
 * Objects and arrays go in as JSON: `String()` throws on a generated `{"toString": 1}`.
 */
function encode(value: unknown): string {
  let out = '';
  const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}
const query = (params: Record<string, unknown>) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encode(v)}`)
    .join('&');

// ---- the service ------------------------------------------------------------------------------
let stack: Stack;
let divan: DivanApp;
let base: string;
type User = Awaited<ReturnType<typeof signUp>>;
let alice: User;
let bob: User;
let carol: User;
const ids = { invite: '', message: '', room: '', activity: '' };
const tally = { requests: 0, status4xx: 0, status2xx: 0, status5xx: 0, socketEvents: 0 };

/** One request to the listening service; returns the status (and counts it). */
async function call(method: string, path: string, who: User | undefined, body?: unknown): Promise<number> {
  const headers: Record<string, string> = { ...(who?.auth ?? {}) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  tally.requests += 1;
  if (response.status >= 500) tally.status5xx += 1;
  else if (response.status >= 400) tally.status4xx += 1;
  else tally.status2xx += 1;
  return response.status;
}

interface Route {
  method: 'GET' | 'POST';
  /** Fastify's route (for the coverage check). */
  url: string;
  /** Input generator: the path (params and query filled in) and the JSON body, if any. */
  input: () => fc.Arbitrary<{ path: string; body?: unknown }>;
  /** Who calls it. @default alice */
  who?: () => User;
}

const uuid = () => fc.uuid({ version: 4 });
const route = (r: Route) => r;
const ROUTES: Route[] = [
  route({
    method: 'POST',
    url: '/auth/register',
    input: () =>
      fc
        .record({
          username: field(fc.stringMatching(/^[a-z0-9_.]{3,32}$/)),
          password: field(text(10, 40)),
          email: field(fc.emailAddress()),
        })
        .map((body) => ({ path: '/auth/register', body })),
  }),
  route({
    method: 'POST',
    url: '/auth/login',
    input: () =>
      fc
        .record({ username: field(fc.constantFrom('fuzz_alice', 'nobody_here')), password: field(text(10, 40)) })
        .map((body) => ({ path: '/auth/login', body })),
  }),
  route({
    method: 'POST',
    url: '/auth/refresh',
    input: () =>
      fc.record({ refresh_token: field(fc.constant(carol.refresh)) }).map((body) => ({ path: '/auth/refresh', body })),
    who: () => carol,
  }),
  route({ method: 'GET', url: '/me', input: () => fc.constant({ path: '/me' }) }),
  route({
    method: 'POST',
    url: '/presence/heartbeat',
    input: () =>
      fc
        .record({
          campus_id: field(fc.constantFrom('main', 'north', 'nowhere')),
          lat: field(fc.double({ min: MAIN.lat - 0.001, max: MAIN.lat + 0.001, noNaN: true })),
          lon: field(fc.double({ min: MAIN.lon - 0.001, max: MAIN.lon + 0.001, noNaN: true })),
          ts: field(fc.constant(Date.now())),
        })
        .map((body) => ({ path: '/presence/heartbeat', body })),
  }),
  route({
    method: 'GET',
    url: '/proximity/nearby',
    input: () =>
      fc
        .record({
          campus_id: field(fc.constant('main')),
          lat: field(fc.double({ min: -85, max: 85, noNaN: true })),
          lon: field(fc.double({ min: -180, max: 180, noNaN: true })),
          radius: field(fc.integer({ min: 1, max: 5000 })),
        })
        .map((params) => ({ path: `/proximity/nearby?${query(params)}` })),
  }),
  route({
    method: 'POST',
    url: '/invites',
    input: () => fc.record({ to_user_id: field(fc.constant(carol.id)) }).map((body) => ({ path: '/invites', body })),
  }),
  route({
    method: 'POST',
    url: '/invites/:id/accept',
    input: () => field(fc.constant(ids.invite)).map((id) => ({ path: `/invites/${encode(id)}/accept` })),
    who: () => carol,
  }),
  route({ method: 'GET', url: '/friends', input: () => fc.constant({ path: '/friends' }) }),
  route({
    method: 'POST',
    url: '/chat/messages',
    input: () =>
      fc
        .record({ to_user_id: field(fc.constant(bob.id)), body: field(text(1, 200)) })
        .map((body) => ({ path: '/chat/messages', body })),
  }),
  route({
    method: 'GET',
    url: '/chat/messages',
    input: () => field(fc.constant(bob.id)).map((id) => ({ path: `/chat/messages?${query({ with: id })}` })),
  }),
  route({
    method: 'POST',
    url: '/chat/messages/:id/delivered',
    input: () => field(fc.constant(ids.message)).map((id) => ({ path: `/chat/messages/${encode(id)}/delivered` })),
    who: () => bob,
  }),
  route({
    method: 'POST',
    url: '/chat/messages/:id/read',
    input: () => field(fc.constant(ids.message)).map((id) => ({ path: `/chat/messages/${encode(id)}/read` })),
    who: () => bob,
  }),
  route({
    method: 'POST',
    url: '/rooms',
    input: () => fc.record({ name: field(text(1, 80)) }).map((body) => ({ path: '/rooms', body })),
  }),
  route({
    method: 'POST',
    url: '/rooms/:id/join',
    input: () => fc.oneof(field(fc.constant(ids.room)), uuid()).map((id) => ({ path: `/rooms/${encode(id)}/join` })),
    who: () => bob,
  }),
  route({
    method: 'POST',
    url: '/rooms/:id/messages',
    input: () =>
      fc
        .tuple(field(fc.constant(ids.room)), fc.record({ body: field(text(1, 200)) }))
        .map(([id, body]) => ({ path: `/rooms/${encode(id)}/messages`, body })),
  }),
  route({
    method: 'POST',
    url: '/activities',
    input: () =>
      fc
        .record({
          kind: field(fc.constantFrom('study', 'sport')),
          title: field(text(1, 120)),
          points: field(fc.integer({ min: 1, max: 100 })),
        })
        .map((body) => ({ path: '/activities', body })),
  }),
  route({
    method: 'POST',
    url: '/activities/:id/complete',
    input: () =>
      fc.oneof(field(fc.constant(ids.activity)), uuid()).map((id) => ({ path: `/activities/${encode(id)}/complete` })),
  }),
  route({
    method: 'GET',
    url: '/leaderboards/:period',
    input: () => field(fc.constantFrom('daily', 'all_time')).map((p) => ({ path: `/leaderboards/${encode(p)}` })),
  }),
  route({
    method: 'POST',
    url: '/intents',
    input: () =>
      fc
        .record({
          action: field(fc.constant('join_activity')),
          nonce: field(fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/)),
          ts: field(fc.constant(Date.now())),
          signature: field(fc.stringMatching(/^[0-9a-f]{64}$/)),
        })
        .map((intent) => {
          // A valid signature when every field is valid, so the Redis nonce path runs too.
          const ok = typeof intent.nonce === 'string' && typeof intent.ts === 'number';
          const signature =
            ok && typeof intent.signature === 'string'
              ? signIntent(JWT_SECRET, intentPayload(alice.id, intent as { action: string; nonce: string; ts: number }))
              : intent.signature;
          return { path: '/intents', body: { ...intent, signature } };
        }),
  }),
  route({
    method: 'GET',
    url: '/files/*',
    input: () => field(fc.constantFrom('hello.txt', 'a/b.txt')).map((name) => ({ path: `/files/${encode(name)}` })),
  }),
  route({ method: 'GET', url: '/app', input: () => fc.constant({ path: '/app' }) }),
  route({
    method: 'GET',
    url: '/app/rooms/:id',
    input: () => fc.oneof(uuid(), hostileText).map((id) => ({ path: `/app/rooms/${encode(id)}` })),
  }),
];

// Logout takes no input and would end alice's session; it is covered by api.test.ts.
const NOT_FUZZED = ['POST /auth/logout'];

beforeAll(async () => {
  stack = await startStack();
  const sightline = init({ enabled: false, catalogs: DIVAN_CATALOGS, logDestination: { write: () => {} } });
  const big = '1000000';
  divan = await buildApp(
    stack.config({ RATE_LIMIT_AUTH: big, RATE_LIMIT_CHAT: big, RATE_LIMIT_DEFAULT: big, RATE_LIMIT_PROXIMITY: big }),
    { sightline, consumer: false },
  );
  base = await divan.listen();
  [alice, bob, carol] = [
    await signUp(divan, 'fuzz_alice'),
    await signUp(divan, 'fuzz_bob'),
    await signUp(divan, 'fuzz_carol'),
  ];
  // alice and bob are friends; alice has a pending invite to carol, a room, a message to bob, an activity.
  const inject = async (method: 'POST', url: string, who: User, payload?: object) => {
    const response = await divan.app.inject({ method, url, headers: who.auth, ...(payload && { payload }) });
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json() as { id: string };
  };
  const invite = await inject('POST', '/invites', alice, { to_user_id: bob.id });
  await inject('POST', `/invites/${invite.id}/accept`, bob);
  ids.invite = (await inject('POST', '/invites', alice, { to_user_id: carol.id })).id;
  ids.message = (await inject('POST', '/chat/messages', alice, { to_user_id: bob.id, body: 'hi' })).id;
  ids.room = (await inject('POST', '/rooms', alice, { name: 'fuzz room' })).id;
  ids.activity = (await inject('POST', '/activities', alice, { kind: 'study', title: 'read' })).id;
}, 120_000);

afterAll(async () => {
  console.log(`fuzz: ${JSON.stringify(tally)}`);
  await divan?.close();
  await stack?.stop();
});

describe('every Divan route answers hostile input with 4xx, never 5xx', () => {
  it('fuzzes the routes the service has, all of them', () => {
    for (const r of ROUTES)
      expect(divan.app.hasRoute({ method: r.method, url: r.url }), `${r.method} ${r.url}`).toBe(true);
    for (const name of NOT_FUZZED) {
      const [method, url] = name.split(' ') as ['POST', string];
      expect(divan.app.hasRoute({ method, url }), name).toBe(true);
    }
  });

  for (const r of ROUTES) {
    it(`${r.method} ${r.url}`, async () => {
      await fc.assert(
        fc.asyncProperty(r.input(), async ({ path, body }) => {
          const status = await call(r.method, path, (r.who ?? (() => alice))(), body);
          expect(status, `${r.method} ${path}`).toBeLessThan(500);
        }),
        { numRuns: RUNS },
      );
    }, 120_000);
  }

  // The exact values the issue names, one field at a time, on the routes whose text reaches a store.
  const TEXT_FIELDS: Array<[string, string, () => User, (bad: string) => object]> = [
    ['/chat/messages', 'body', () => alice, (bad) => ({ to_user_id: bob.id, body: bad })],
    ['/rooms', 'name', () => alice, (bad) => ({ name: bad })],
    ['/rooms/:id/messages', 'body', () => alice, (bad) => ({ body: bad })],
    ['/activities', 'title', () => alice, (bad) => ({ kind: 'study', title: bad })],
    ['/auth/register', 'password', () => alice, (bad) => ({ username: 'fuzz_new', password: `${bad}0123456789` })],
    ['/auth/register', 'email', () => alice, (bad) => ({ username: 'fuzz_new', password: '0123456789', email: bad })],
    ['/presence/heartbeat', 'campus_id', () => alice, (bad) => ({ ...MAIN, campus_id: bad })],
  ];
  for (const [url, name, who, make] of TEXT_FIELDS) {
    for (const [kind, bad] of Object.entries(REJECTED_TEXT)) {
      it(`POST ${url} refuses ${kind} text in ${name} with 400`, async () => {
        const path = url.replace(':id', ids.room);
        expect(await call('POST', path, who(), make(bad))).toBe(400);
      });
    }
  }

  it('refuses latitudes Redis GEO cannot index and out-of-range numbers with 400', async () => {
    expect(await call('GET', `/proximity/nearby?${query({ campus_id: 'main', lat: 89.9, lon: 0 })}`, alice)).toBe(400);
    expect(await call('POST', '/activities', alice, { kind: 'study', title: 't', points: 2 ** 31 })).toBe(400);
    expect(
      await call('POST', '/intents', alice, {
        action: 'join_activity',
        nonce: 'n'.repeat(16),
        ts: 1e300,
        signature: '0'.repeat(64),
      }),
    ).toBe(400);
  });
});

describe('every Socket.IO event answers hostile payloads with a validation or domain error, never internal', () => {
  let socket: Socket;
  beforeAll(async () => {
    socket = connect(base, { auth: { token: alice.access }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    // alice joins her room over the socket too, so room:send reaches the database.
    await socket.timeout(5000).emitWithAck('room:join', { room_id: ids.room });
  });
  afterAll(() => {
    socket?.disconnect();
  });

  const EVENTS: Array<[string, () => fc.Arbitrary<unknown>]> = [
    ['chat:send', () => fc.record({ to_user_id: field(fc.constant(bob.id)), body: field(text(1, 200)) })],
    ['chat:delivered', () => fc.record({ message_id: field(fc.constant(ids.message)) })],
    ['chat:read', () => fc.record({ message_id: field(fc.constant(ids.message)) })],
    ['room:join', () => fc.record({ room_id: fc.oneof(field(fc.constant(ids.room)), uuid()) })],
    ['room:send', () => fc.record({ room_id: field(fc.constant(ids.room)), body: field(text(1, 200)) })],
  ];
  for (const [event, payload] of EVENTS) {
    it(event, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof({ arbitrary: payload(), weight: 5 }, { arbitrary: hostile, weight: 1 }),
          async (p) => {
            const ack = (await socket.timeout(5000).emitWithAck(event, p)) as { ok: boolean; error?: string };
            tally.socketEvents += 1;
            expect(ack.ok || ack.error !== 'internal', `${event} acked internal`).toBe(true);
          },
        ),
        { numRuns: RUNS },
      );
    }, 120_000);
  }

  for (const [kind, bad] of Object.entries(REJECTED_TEXT)) {
    it(`chat:send and room:send refuse ${kind} text as a validation error`, async () => {
      const direct = (await socket.timeout(5000).emitWithAck('chat:send', { to_user_id: bob.id, body: bad })) as {
        error?: string;
      };
      const room = (await socket.timeout(5000).emitWithAck('room:send', { room_id: ids.room, body: bad })) as {
        error?: string;
      };
      expect([direct.error, room.error]).toEqual(['validation', 'validation']);
    });
  }
});
