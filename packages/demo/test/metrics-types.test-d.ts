// Type-level tests of Divan's catalog, checked by `tsc -p tsconfig.json` (the repo type check): each
// `@ts-expect-error` line must fail to compile, and an unused one fails the type check.
import type { DomainMetrics } from '../src/metrics/index.ts';

declare const metrics: DomainMetrics;

// @ts-expect-error `campus` is not a label of divan.presence.heartbeats
metrics.presenceHeartbeats.inc({ campus: 'itu' });
metrics.presenceHeartbeats.inc({ campus_id: 'itu' });
// @ts-expect-error an extra label is a compile error too
metrics.identityLogins.inc({ outcome: 'success', user_id: 'u1' });
// @ts-expect-error a labelled metric needs its labels
metrics.authFailures.inc();
// @ts-expect-error divan.chat.send has no labels
metrics.chatSend.inc({ room: 'r1' });
metrics.chatSend.inc();
// @ts-expect-error the SDK defines jobs.runs; Divan's catalog does not
void metrics.jobsRuns;
