// Spec 001 §11: a constant 200 req/s of nearby (geo) queries; p95 < 120 ms.
// For the compose stack: `k6 run -e DIVAN_URL=http://divan:8000 packages/demo/k6/proximity_nearby_load.js`.
// The service's rate limits must allow the load (setup registers 30 users from one address; queries come
// from one user): run it with e.g. RATE_LIMIT_AUTH=100000 RATE_LIMIT_PROXIMITY=100000000.
import { check } from 'k6';
import http from 'k6/http';

const BASE = __ENV.DIVAN_URL || 'http://localhost:8000';
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const CENTRE = { campus_id: 'main', lat: 41.0082, lon: 28.9784 };

export const options = {
  scenarios: {
    nearby: {
      executor: 'constant-arrival-rate',
      rate: 200,
      timeUnit: '1s',
      duration: '2m',
      preAllocatedVUs: 50,
      maxVUs: 200,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:proximity_nearby}': ['p(95)<120'],
  },
};

function post(path, body, token) {
  const headers = token ? { ...JSON_HEADERS, Authorization: `Bearer ${token}` } : JSON_HEADERS;
  return http.post(`${BASE}${path}`, JSON.stringify(body), { headers });
}

export function setup() {
  // A populated campus: 30 users within ~500 m of the centre.
  let token;
  for (let i = 0; i < 30; i++) {
    const username = `k6near_${i}_${Math.random().toString(36).slice(2, 8)}`;
    const password = 'k6-load-test-password';
    post('/auth/register', { username, password });
    const access = post('/auth/login', { username, password }).json('access_token');
    const angle = (i / 30) * 2 * Math.PI;
    const offset = 0.0009 * ((i % 5) + 1);
    post(
      '/presence/heartbeat',
      { ...CENTRE, lat: CENTRE.lat + offset * Math.sin(angle), lon: CENTRE.lon + offset * Math.cos(angle) },
      access,
    );
    token = token || access;
  }
  return { token };
}

export default function (data) {
  const url = `${BASE}/proximity/nearby?campus_id=main&lat=${CENTRE.lat}&lon=${CENTRE.lon}&radius=250`;
  const res = http.get(url, { headers: { Authorization: `Bearer ${data.token}` }, tags: { name: 'proximity_nearby' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
