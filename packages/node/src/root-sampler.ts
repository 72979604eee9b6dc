import { type Attributes, type Context, type Link, SpanKind } from '@opentelemetry/api';
import { ParentBasedSampler, type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace';

/**
 * Drops database and cache CLIENT spans that would start a trace. A Redis or PostgreSQL call outside
 * any trace is a poll, a probe or a blocking read: a Redis `XREADGROUP … BLOCK` or `BLPOP` waiting for
 * work is a root span as long as its timeout, and the collector's slow-trace policy would keep every
 * one of them (in the reference service they were 29% of all stored traces). Work worth a trace runs inside a request
 * or `job()`, whose spans are parents, so its database calls are kept.
 *
 * Only spans that name a database system (`db.system.name`, or the older `db.system`, set at start by
 * the pg, redis and ioredis instrumentations): an HTTP or gRPC client span propagates its context, and
 * an unsampled root there would make the called service drop its part of the trace as well.
 */
export class NoRootDatabaseClientSpans implements Sampler {
  shouldSample(
    _context: Context,
    _traceId: string,
    _name: string,
    kind: SpanKind,
    attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    const database = attributes['db.system.name'] ?? attributes['db.system'];
    return {
      decision:
        kind === SpanKind.CLIENT && database !== undefined
          ? SamplingDecision.NOT_RECORD
          : SamplingDecision.RECORD_AND_SAMPLED,
    };
  }

  toString(): string {
    return 'NoRootDatabaseClientSpans';
  }
}

/**
 * The SDK's sampler: a span with a parent follows the parent's sampled flag (W3C `traceparent` from
 * upstream included, as the default sampler does); a root span is kept unless it is a database or
 * cache client call.
 */
export function tracesSampler(): Sampler {
  return new ParentBasedSampler({ root: new NoRootDatabaseClientSpans() });
}
