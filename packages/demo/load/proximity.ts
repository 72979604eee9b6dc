// Spec 001 §11 proximity_nearby_load: a constant 200 req/s of GET /proximity/nearby; threshold p95 < 120 ms.
// Bounded: LOAD_DURATION_S seconds (default 10). `npm run load:proximity -w @sightline/demo`.
import { createUser, envInt, openTarget, post, report, runStage } from './common.ts';

const RATE = envInt('LOAD_PROXIMITY_RPS', 200);
const DURATION_S = envInt('LOAD_DURATION_S', 10);
const USERS = envInt('LOAD_PROXIMITY_USERS', 30);
const CENTRE = { campus_id: 'main', lat: 41.0082, lon: 28.9784 };

const target = await openTarget();
try {
  // A populated campus: users scattered within ~500 m of the centre.
  const users = [];
  for (let i = 0; i < USERS; i++) users.push(await createUser(target.url, 'near'));
  for (const [i, user] of users.entries()) {
    const angle = (i / USERS) * 2 * Math.PI;
    const offset = 0.0045 * ((i % 5) + 1) * 0.2;
    await post(
      `${target.url}/presence/heartbeat`,
      { ...CENTRE, lat: CENTRE.lat + offset * Math.sin(angle), lon: CENTRE.lon + offset * Math.cos(angle) },
      user.token,
    );
  }
  const me = users[0];
  if (!me) throw new Error('LOAD_PROXIMITY_USERS: expected at least 1');
  const result = await runStage(`${RATE} req/s for ${DURATION_S}s`, {
    url: `${target.url}/proximity/nearby?campus_id=main&lat=${CENTRE.lat}&lon=${CENTRE.lon}&radius=250`,
    connections: 20,
    overallRate: RATE,
    duration: DURATION_S,
    headers: { authorization: `Bearer ${me.token}` },
  });
  report(
    'proximity nearby at a constant rate',
    [result],
    [
      { name: 'p95 < 120 ms', ok: result.p95 < 120, detail: `${result.p95} ms` },
      {
        name: `rate held (>= 95% of ${RATE} req/s)`,
        ok: result.rps >= RATE * 0.95,
        detail: `${result.rps} req/s`,
      },
      { name: 'non-2xx < 1%', ok: result.non2xxRatio < 0.01, detail: `${(result.non2xxRatio * 100).toFixed(2)}%` },
    ],
  );
} finally {
  await target.close();
}
