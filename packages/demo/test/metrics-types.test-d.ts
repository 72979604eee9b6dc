// Type-level tests of Divan's catalog, run by vitest's typecheck (demo project) and `tsc -p tsconfig.json`:
// each `@ts-expect-error` line must fail to compile, and an unused one fails this file on its own.
import { describe, it } from 'vitest';
import type { DomainMetrics } from '../src/metrics/index.ts';

declare const metrics: DomainMetrics;

describe("Divan's catalog labels at compile time", () => {
  it('rejects a label the metric does not have', () => {
    // @ts-expect-error `campus` is not a label of divan.presence.heartbeats
    metrics.presenceHeartbeats.inc({ campus: 'itu' });
    metrics.presenceHeartbeats.inc({ campus_id: 'itu' });
  });
  it('rejects an extra label', () => {
    // @ts-expect-error an extra label is a compile error too
    metrics.identityLogins.inc({ outcome: 'success', user_id: 'u1' });
  });
  it('requires the labels of a labelled metric and refuses labels on an unlabelled one', () => {
    // @ts-expect-error a labelled metric needs its labels
    metrics.authFailures.inc();
    // @ts-expect-error divan.chat.send has no labels
    metrics.chatSend.inc({ room: 'r1' });
    metrics.chatSend.inc();
  });
  it("has no recorder for the SDK's own metrics", () => {
    // @ts-expect-error the SDK defines jobs.runs; Divan's catalog does not
    void metrics.jobsRuns;
  });
});
