// Spec 001 §11: ramp 0 -> 300 VUs sending chat messages; < 1% non-2xx and p95 < 150 ms.
// For the compose stack: `k6 run -e DIVAN_URL=http://divan:8000 packages/demo/k6/chat_send_load.js`.
// The service's rate limits must allow the load: all VUs send as one user from one address, so run
// the service with e.g. RATE_LIMIT_CHAT=100000000 (the defaults are per-user production limits).
import { check } from 'k6';
import http from 'k6/http';

const BASE = __ENV.DIVAN_URL || 'http://localhost:8000';
const JSON_HEADERS = { 'Content-Type': 'application/json' };

export const options = {
  stages: [
    { duration: '30s', target: 50 },
    { duration: '1m', target: 150 },
    { duration: '1m', target: 300 },
    { duration: '1m', target: 300 },
    { duration: '30s', target: 0 },
  ],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:chat_send}': ['p(95)<150'],
  },
};

function post(path, body, token) {
  const headers = token ? { ...JSON_HEADERS, Authorization: `Bearer ${token}` } : JSON_HEADERS;
  return http.post(`${BASE}${path}`, JSON.stringify(body), { headers });
}

function user(prefix) {
  const username = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
  const password = 'k6-load-test-password';
  const id = post('/auth/register', { username, password }).json('id');
  const token = post('/auth/login', { username, password }).json('access_token');
  return { id, token };
}

export function setup() {
  const sender = user('k6sender');
  const recipient = user('k6recipient');
  const invite = post('/invites', { to_user_id: recipient.id }, sender.token).json('id');
  post(`/invites/${invite}/accept`, {}, recipient.token);
  return { token: sender.token, to: recipient.id };
}

export default function (data) {
  const res = http.post(`${BASE}/chat/messages`, JSON.stringify({ to_user_id: data.to, body: 'k6 load message' }), {
    headers: { ...JSON_HEADERS, Authorization: `Bearer ${data.token}` },
    tags: { name: 'chat_send' },
  });
  check(res, { 'status is 201': (r) => r.status === 201 });
}
