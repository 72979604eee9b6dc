// A bounded, mixed HTTP workload against the Divan service for the end-to-end test: happy paths,
// 4xx of several kinds, a forced-sampling request, and one Socket.IO client kept connected so the
// clients gauge has a series. It records the trace id every response returned in `traceparent`.

/** One request the workload made. */
export interface LoadRequest {
  name: string;
  status: number;
  /** From the `traceparent` response header; undefined when the service sent none. */
  traceId: string | undefined;
}

/** What {@link runLoad} did. */
export interface LoadResult {
  requests: LoadRequest[];
  durationMs: number;
  /** Trace ids returned by `POST /ops/trace/test` (force-sampled spans without an HTTP parent). */
  forcedTraceIds: string[];
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  baseUrl: string;
  adminToken: string;
  /** How long to keep sending. @default 20000 */
  durationMs?: number;
  /** Requests in flight at once. @default 3 */
  concurrency?: number;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

function traceIdOf(response: Response): string | undefined {
  return TRACEPARENT.exec(response.headers.get('traceparent') ?? '')?.[1];
}

type Step = { name: string; run: (base: string, token: string) => Promise<Response> };

const json = (body: unknown, token?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
  body: JSON.stringify(body),
});
const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

/** The mix, one of each per round: mostly 2xx, and 400/401/404 of different origins. */
const STEPS: Step[] = [
  { name: 'GET /me', run: (base, token) => fetch(`${base}/me`, bearer(token)) },
  { name: 'GET /friends', run: (base, token) => fetch(`${base}/friends`, bearer(token)) },
  { name: 'GET /leaderboards/:period', run: (base, token) => fetch(`${base}/leaderboards/daily`, bearer(token)) },
  { name: 'GET /chat/messages', run: (base, token) => fetch(`${base}/chat/messages`, bearer(token)) },
  { name: 'GET /files/*', run: (base) => fetch(`${base}/files/welcome.txt`) },
  { name: 'GET /me (no token)', run: (base) => fetch(`${base}/me`) },
  { name: 'GET unmatched', run: (base) => fetch(`${base}/no/such/route`) },
  {
    name: 'POST /presence/heartbeat (invalid)',
    run: (base, token) => fetch(`${base}/presence/heartbeat`, json({ campus_id: 'nowhere' }, token)),
  },
  { name: 'GET /files/* (traversal)', run: (base) => fetch(`${base}/files/..%2f..%2fetc%2fpasswd`) },
  { name: 'GET /me', run: (base, token) => fetch(`${base}/me`, bearer(token)) },
];

async function login(baseUrl: string): Promise<string> {
  const credentials = { username: `e2e_${Date.now().toString(36)}`, password: 'e2e password not secret' };
  const registered = await fetch(`${baseUrl}/auth/register`, json(credentials));
  if (registered.status !== 201) throw new Error(`register: expected 201, got ${registered.status}`);
  const response = await fetch(`${baseUrl}/auth/login`, json(credentials));
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(
      `login: expected 200 with access_token, got ${response.status} ${JSON.stringify(Object.keys(body))}`,
    );
  }
  return body.access_token;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { baseUrl, adminToken, durationMs = 20_000, concurrency = 3 } = options;
  const token = await login(baseUrl);
  const requests: LoadRequest[] = [];
  const forcedTraceIds: string[] = [];

  const { io } = await import('socket.io-client');
  const socket = io(baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket.io: no connect within 10 s')), 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(new Error(`socket.io connect_error: ${error.message}`));
    });
  });

  const started = Date.now();
  const deadline = started + durationMs;
  let next = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const step = STEPS[next++ % STEPS.length] as Step;
      const response = await step.run(baseUrl, token);
      await response.arrayBuffer();
      requests.push({ name: step.name, status: response.status, traceId: traceIdOf(response) });
      // Every 50th request forces a trace the way an operator would, with the admin token.
      if (next % 50 === 0) {
        const forced = await fetch(`${baseUrl}/ops/trace/test`, { method: 'POST', ...bearer(adminToken) });
        const body = (await forced.json()) as { trace_id?: string };
        requests.push({ name: 'POST /ops/trace/test', status: forced.status, traceId: traceIdOf(forced) });
        if (typeof body.trace_id === 'string') forcedTraceIds.push(body.trace_id);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    // Disconnect only after the load, so the clients gauge was 1 through several metric exports.
    socket.disconnect();
  }
  return { requests, durationMs: Date.now() - started, forcedTraceIds };
}
