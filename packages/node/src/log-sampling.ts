import { type Context, type SpanContext, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { FORCE_SAMPLING_ATTRIBUTE } from './config.js';
import type { LoadMeter } from './load.js';
import { ProbabilisticRule } from './trace-keep.js';

const INFO = 30;

/** What to do with one log line. */
export type LogVerdict = 'pass' | 'drop' | 'defer' | 'untraced';

/** Options of {@link TraceLogSampler}. */
export interface TraceLogSamplerOptions {
  /** The collector's probabilistic `sampling_percentage`. */
  percentage: number;
  /** The collector's latency policy threshold (ms): slower traces are kept. */
  latencySloMs: number;
  /** Sampling only starts when load is high. */
  load: Pick<LoadMeter, 'high'>;
  /** Traces whose info lines wait for their outcome at once; the oldest is dropped beyond. @default 2048 */
  maxPendingTraces?: number;
  /** Info lines one trace may hold back; later ones are dropped. @default 64 */
  maxLinesPerTrace?: number;
}

interface Pending {
  write: (line: string) => void;
  lines: string[];
}

/**
 * Keeps the info lines of every trace the collector's tail sampler keeps, under high load too. A line
 * inside a sampled trace passes at once when the trace-id hash says the collector's probabilistic
 * policy keeps the trace; otherwise it waits until the trace's local root span ends, and is written
 * when the trace failed (a span with status ERROR, e.g. a 5xx), was forced (`sightline.sampling.force`)
 * or took longer than the latency SLO, the collector's other keep policies, and dropped when not.
 * Lines outside a sampled trace are left to the caller (`untraced`). Registered as a span processor,
 * so it sees every span end; holds at most `maxPendingTraces` x `maxLinesPerTrace` lines.
 */
export class TraceLogSampler implements SpanProcessor {
  private readonly rule: ProbabilisticRule;
  private readonly pending = new Map<string, Pending>();
  /** Traces known to be kept before their root ended (an error or forced span ended). */
  private readonly kept = new Map<string, true>();
  /**
   * Outcomes of traces whose local root has ended, for lines logged after it: the request log line is
   * written on the response's `finish`, after the HTTP server span ended.
   */
  private readonly decided = new Map<string, boolean>();
  private readonly maxPendingTraces: number;
  private readonly maxLinesPerTrace: number;
  /** Info lines dropped: their trace was not kept, or a bound was hit. */
  dropped = 0;

  constructor(private readonly options: TraceLogSamplerOptions) {
    this.rule = new ProbabilisticRule(options.percentage);
    this.maxPendingTraces = options.maxPendingTraces ?? 2048;
    this.maxLinesPerTrace = options.maxLinesPerTrace ?? 64;
  }

  /** Decides one line of pino level `level` written inside `span` (the active span, if any). */
  verdict(level: number, span: SpanContext | undefined): LogVerdict {
    if (level !== INFO) return 'pass';
    if (span === undefined || (span.traceFlags & TraceFlags.SAMPLED) === 0) return 'untraced';
    if (this.rule.all || !this.options.load.high()) return 'pass';
    if (this.kept.has(span.traceId) || this.rule.keeps(span.traceId)) return 'pass';
    const outcome = this.decided.get(span.traceId);
    if (outcome === undefined) return 'defer';
    if (outcome) return 'pass';
    this.dropped++;
    return 'drop';
  }

  /** Holds `line` of trace `traceId` until the trace's outcome is known; `write` writes it then. */
  defer(traceId: string, line: string, write: (line: string) => void): void {
    let entry = this.pending.get(traceId);
    if (entry === undefined) {
      if (this.pending.size >= this.maxPendingTraces) this.evictOldest();
      entry = { write, lines: [] };
      this.pending.set(traceId, entry);
    }
    if (entry.lines.length >= this.maxLinesPerTrace) {
      this.dropped++;
      return;
    }
    entry.lines.push(line);
  }

  /** Lines waiting for their trace's outcome. */
  pendingLines(): number {
    let count = 0;
    for (const entry of this.pending.values()) count += entry.lines.length;
    return count;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    const forced = span.attributes[FORCE_SAMPLING_ATTRIBUTE];
    if (span.status.code === SpanStatusCode.ERROR || forced === true || forced === 'true') {
      this.markKept(traceId);
      this.release(traceId, true);
    }
    const parent = span.parentSpanContext;
    if (parent !== undefined && !parent.isRemote) return;
    // The local root ended: the trace's outcome here is known.
    const [seconds, nanos] = span.duration;
    // The latency policy keeps a trace when its whole milliseconds exceed the threshold.
    const slow = Math.trunc(seconds * 1000 + nanos / 1e6) > this.options.latencySloMs;
    const keep = slow || this.kept.has(traceId);
    this.release(traceId, keep);
    this.kept.delete(traceId);
    if (this.decided.size >= this.maxPendingTraces) {
      const oldest = this.decided.keys().next().value;
      if (oldest !== undefined) this.decided.delete(oldest);
    }
    this.decided.set(traceId, keep);
  }

  async forceFlush(): Promise<void> {}

  /** Writes what is still held: on shutdown the outcome will not come, and a line too many beats a lost one. */
  async shutdown(): Promise<void> {
    for (const traceId of [...this.pending.keys()]) this.release(traceId, true);
  }

  private markKept(traceId: string): void {
    if (this.kept.size >= this.maxPendingTraces) {
      const oldest = this.kept.keys().next().value;
      if (oldest !== undefined) this.kept.delete(oldest);
    }
    this.kept.set(traceId, true);
  }

  private release(traceId: string, keep: boolean): void {
    const entry = this.pending.get(traceId);
    if (entry === undefined) return;
    this.pending.delete(traceId);
    if (!keep) {
      this.dropped += entry.lines.length;
      return;
    }
    for (const line of entry.lines) entry.write(line);
  }

  private evictOldest(): void {
    const oldest = this.pending.keys().next().value;
    if (oldest === undefined) return;
    this.dropped += this.pending.get(oldest)?.lines.length ?? 0;
    this.pending.delete(oldest);
  }
}
