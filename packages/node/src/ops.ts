import type { Tracer } from '@opentelemetry/api';
import { FORCE_SAMPLING_ATTRIBUTE } from './config.js';
import type { Logger } from './logger.js';

/** A job hook run by `POST /ops/rollover` (e.g. the daily leaderboard snapshot). */
export type RolloverHandler = () => unknown | Promise<unknown>;

/** Ops actions behind the admin guard. */
export interface Ops {
  /** Registers the hook `POST /ops/rollover` runs; a later call replaces it. */
  onRollover(handler: RolloverHandler): void;
  /** Runs the rollover hook. Resolves `false` when none is registered. */
  rollover(): Promise<boolean>;
  /** Emits a span marked `sightline.sampling.force=true` and returns its trace id. */
  traceTest(): { trace_id: string };
}

export function createOps(tracer: Tracer, logger: Logger): Ops {
  let handler: RolloverHandler | undefined;
  return {
    onRollover(next) {
      handler = next;
    },
    async rollover() {
      if (handler === undefined) return false;
      await handler();
      logger.info('ops rollover ran');
      return true;
    },
    traceTest() {
      return tracer.startActiveSpan(
        'sightline.ops.trace_test',
        { attributes: { [FORCE_SAMPLING_ATTRIBUTE]: true } },
        (span) => {
          const traceId = span.spanContext().traceId;
          logger.info('ops test span emitted');
          span.end();
          return { trace_id: traceId };
        },
      );
    },
  };
}
