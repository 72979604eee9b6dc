// Type-level tests of the catalog, run by `vitest --typecheck` (the `types` check): each
// `@ts-expect-error` line must fail to compile, and an unused one fails this file on its own.
import { describe, expectTypeOf, it } from 'vitest';
import type { DomainMetrics } from '../src/catalog/index.ts';

declare const metrics: DomainMetrics;

describe('catalog labels at compile time', () => {
  it('rejects a label the metric does not have', () => {
    // @ts-expect-error `campus` is not a label of divan.presence.heartbeats
    metrics.presenceHeartbeats.inc({ campus: 'itu' });
    expectTypeOf(metrics.presenceHeartbeats.inc).toBeCallableWith({ campus_id: 'itu' });
  });

  it('rejects an extra label', () => {
    // @ts-expect-error an extra label is a compile error too
    metrics.identityLogins.inc({ outcome: 'success', user_id: 'u1' });
    expectTypeOf(metrics.identityLogins.inc).toBeCallableWith({ outcome: 'success' });
  });

  it('requires the labels of a labelled metric', () => {
    // @ts-expect-error a labelled metric needs its labels
    metrics.jobsRuns.inc();
    expectTypeOf(metrics.jobsRuns.inc).parameters.not.toEqualTypeOf<[]>();
  });

  it('takes no labels on an unlabelled metric', () => {
    // @ts-expect-error divan.chat.send has no labels
    metrics.chatSend.inc({ room: 'r1' });
    expectTypeOf(metrics.chatSend.inc).toBeCallableWith();
  });

  it('gives observable gauges no recorder', () => {
    // @ts-expect-error observable gauges have no recorder
    void metrics.socketioRoomSize;
    expectTypeOf<DomainMetrics>().not.toHaveProperty('socketioRoomSize');
  });
});
