import { type Attributes, type Context, type Link, SpanKind } from '@opentelemetry/api';
import { ParentBasedSampler, type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace';

/**
 * Drops CLIENT spans that would start a trace. A client call outside any trace is a poll, a blocking
 * read or a probe: a Redis `XREADGROUP … BLOCK` or `BLPOP` that waits for work is a root span as long
 * as its timeout, and the collector's slow-trace policy would keep every one of them (in Divan they
 * were 29% of all stored traces). Work worth a trace runs inside a request or `job()`, whose spans
 * are parents, so its client calls are kept. Decided at span start, so a dropped span costs nothing.
 */
export class NoRootClientSpans implements Sampler {
  shouldSample(
    _context: Context,
    _traceId: string,
    _name: string,
    kind: SpanKind,
    _attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    return { decision: kind === SpanKind.CLIENT ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return 'NoRootClientSpans';
  }
}

/**
 * The SDK's sampler: a span with a parent follows the parent's sampled flag (W3C `traceparent` from
 * upstream included, as the default sampler does); a root span is kept unless it is a CLIENT span.
 */
export function tracesSampler(): Sampler {
  return new ParentBasedSampler({ root: new NoRootClientSpans() });
}
