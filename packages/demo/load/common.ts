// Shared by the load scripts: a target (an existing Divan, or a throwaway one on loopback), users,
// percentiles and the spec 001 §11 threshold report.
import autocannon from 'autocannon';

/** Where to send load: `DIVAN_URL`, else a self-started stack on loopback. */
export interface Target {
  url: string;
  close(): Promise<void>;
}

/**
 * `DIVAN_URL` targets a running service (only loopback is allowed: these scripts are for local runs).
 * Without it, Redis, PostgreSQL and the service start on free loopback ports and stop afterwards.
 */
export async function openTarget(): Promise<Target> {
  const given = process.env.DIVAN_URL;
  if (given) {
    const host = new URL(given).hostname;
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
      throw new Error(`DIVAN_URL: expected a loopback URL, got host "${host}"`);
    }
    return { url: given.replace(/\/$/, ''), close: async () => {} };
  }
  const { freePort, startManaged, startPostgres, startRedis } = await import('@sightline/harness');
  const [redis, postgres, port] = await Promise.all([startRedis(), startPostgres(), freePort()]);
  // Its own process, as in production: the load generator must not share the service's event loop.
  const url = `http://127.0.0.1:${port}`;
  const dependencies = () => Promise.allSettled([redis.stop(), postgres.stop()]);
  const service = await startManaged({
    name: 'divan',
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts'],
    cwd: new URL('..', import.meta.url).pathname,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      JWT_SECRET: 'load-test-secret-0123456789abcdef0123',
      // The load comes from one address and a few users: the limits must not be what is measured.
      RATE_LIMIT_CHAT: '100000000',
      RATE_LIMIT_PROXIMITY: '100000000',
      RATE_LIMIT_AUTH: '100000',
      OBS_ENABLED: process.env.OBS_ENABLED ?? 'false',
      LOG_LEVEL: 'warn',
    },
    readyUrl: `${url}/health/ready`,
    timeoutMs: 60_000,
  }).catch(async (error) => {
    // The error carries the command and the tail of its logs; Redis and PostgreSQL go too.
    await dependencies();
    throw error;
  });
  return {
    url,
    close: async () => {
      await service.stop();
      await dependencies();
    },
  };
}

async function post(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${new URL(url).pathname}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

export interface LoadUser {
  id: string;
  token: string;
}

/** Registers and logs in a fresh user over HTTP. */
export async function createUser(base: string, prefix: string): Promise<LoadUser> {
  const username = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
  const password = 'load-test-password';
  const { id } = await post(`${base}/auth/register`, { username, password });
  const { access_token } = await post(`${base}/auth/login`, { username, password });
  return { id: String(id), token: String(access_token) };
}

/** Makes `a` and `b` friends through an invite. */
export async function befriend(base: string, a: LoadUser, b: LoadUser): Promise<void> {
  const invite = await post(`${base}/invites`, { to_user_id: b.id }, a.token);
  await post(`${base}/invites/${invite.id}/accept`, {}, b.token);
}

export { post };

export interface StageResult {
  name: string;
  requests: number;
  rps: number;
  non2xxRatio: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Runs one autocannon stage and computes exact percentiles from every response time. */
export async function runStage(name: string, options: Parameters<typeof autocannon>[0]): Promise<StageResult> {
  const times: number[] = [];
  const instance = autocannon({ timeout: 10, ...options });
  instance.on('response', (_client, _status, _bytes, ms) => times.push(ms));
  const result = await instance;
  times.sort((a, b) => a - b);
  const total = result.requests.total;
  return {
    name,
    requests: total,
    rps: Math.round(result.requests.average),
    non2xxRatio: total === 0 ? 1 : (result.non2xx + result.errors) / (total + result.errors),
    errors: result.errors,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
  };
}

export interface Threshold {
  name: string;
  ok: boolean;
  detail: string;
}

/** Prints the stages and thresholds; exits 1 when a threshold failed (like k6). */
export function report(title: string, stages: StageResult[], thresholds: Threshold[]): void {
  process.stdout.write(`\n${title}\n`);
  console.table(
    stages.map((s) => ({
      stage: s.name,
      requests: s.requests,
      'req/s': s.rps,
      'non-2xx %': (s.non2xxRatio * 100).toFixed(2),
      'p50 ms': s.p50,
      'p95 ms': s.p95,
      'p99 ms': s.p99,
    })),
  );
  for (const t of thresholds) process.stdout.write(`${t.ok ? 'PASS' : 'FAIL'}  ${t.name}: ${t.detail}\n`);
  if (thresholds.some((t) => !t.ok)) process.exitCode = 1;
}

/** Positive integer from env, else the default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: expected a positive integer, got "${raw}"`);
  return value;
}
