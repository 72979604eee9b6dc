// Spec 001 §11 chat_send_load: ramp toward 300 concurrent senders on POST /chat/messages;
// thresholds: < 1% non-2xx, p95 < 150 ms. Bounded: LOAD_STAGE_S seconds per stage (default 5).
// `npm run load:chat -w @sightline/demo` (self-contained) or with DIVAN_URL=http://127.0.0.1:8000.
import { befriend, createUser, envInt, openTarget, report, runStage, type StageResult } from './common.ts';

const STAGE_S = envInt('LOAD_STAGE_S', 5);
const PEAK = envInt('LOAD_CHAT_PEAK_CONNECTIONS', 300);
// A ramp in steps; autocannon keeps connections constant within a stage.
const STAGES = [0.05, 0.2, 0.5, 1].map((share) => Math.max(1, Math.round(PEAK * share)));

const target = await openTarget();
try {
  const sender = await createUser(target.url, 'sender');
  const recipient = await createUser(target.url, 'recipient');
  await befriend(target.url, sender, recipient);
  const results: StageResult[] = [];
  for (const connections of STAGES) {
    results.push(
      await runStage(`${connections} connections`, {
        url: `${target.url}/chat/messages`,
        method: 'POST',
        connections,
        duration: STAGE_S,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` },
        body: JSON.stringify({ to_user_id: recipient.id, body: 'load test message' }),
      }),
    );
  }
  const requests = results.reduce((sum, s) => sum + s.requests, 0);
  const failedShare = results.reduce((sum, s) => sum + s.non2xxRatio * s.requests, 0) / Math.max(1, requests);
  const peak = results.at(-1) as StageResult;
  report(`chat send ramp to ${PEAK} connections, ${STAGE_S}s per stage`, results, [
    { name: 'non-2xx < 1%', ok: failedShare < 0.01, detail: `${(failedShare * 100).toFixed(2)}% of ${requests}` },
    { name: 'p95 < 150 ms at peak', ok: peak.p95 < 150, detail: `${peak.p95} ms` },
  ]);
} finally {
  await target.close();
}
