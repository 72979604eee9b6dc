import { context, logs, ROOT_CONTEXT, SeverityNumber, TraceFlags, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { SightlineConfig } from './config.js';
import type { LoadMeter } from './load.js';
import type { TraceLogSampler } from './log-sampling.js';
import { scrubObject, scrubString } from './redact.js';
import { requestIdOf } from './request-id.js';
import { INSTRUMENTATION_SCOPE } from './scope.js';

export type { Logger } from 'pino';

const INFO = 30;

const SEVERITY: Record<string, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
};
// Fields that are resource attributes or carried by the log record itself.
const NOT_ATTRIBUTES = new Set(['ts', 'level', 'msg', 'service', 'env', 'commit', 'trace_id', 'span_id']);

/**
 * A pino destination that re-emits each JSON line as an OTLP log record through the global
 * LoggerProvider. The record's trace context is the line's own trace_id/span_id (the span active when
 * the line was logged), so a line held back by trace-consistent sampling keeps it when written later.
 */
export function otlpLogStream(): DestinationStream {
  const otelLogger = logs.getLogger(INSTRUMENTATION_SCOPE);
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const level = String(record.level);
      const attributes: Record<string, unknown> = {};
      for (const key in record) if (!NOT_ATTRIBUTES.has(key)) attributes[key] = record[key];
      const traceId = record.trace_id;
      const spanId = record.span_id;
      otelLogger.emit({
        ...(typeof traceId === 'string' &&
          typeof spanId === 'string' && {
            context: trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED }),
          }),
        severityNumber: SEVERITY[level] ?? SeverityNumber.UNSPECIFIED,
        severityText: level.toUpperCase(),
        body: typeof record.msg === 'string' ? record.msg : '',
        // biome-ignore lint/suspicious/noExplicitAny: pino output is JSON, a valid AnyValueMap
        attributes: attributes as any,
        timestamp: typeof record.ts === 'string' ? new Date(record.ts) : new Date(),
      });
    },
  };
}

/** Keeps 1 in N info lines outside a sampled trace while load is high; other levels always pass. */
export class InfoSampler {
  private readonly keepEvery: number;
  private counter = 0;
  dropped = 0;
  constructor(
    rate: number,
    private readonly load: Pick<LoadMeter, 'high'>,
  ) {
    this.keepEvery = Math.max(1, Math.round(1 / rate));
  }
  drop(level: number): boolean {
    if (level !== INFO || this.keepEvery === 1 || !this.load.high()) return false;
    this.counter = (this.counter + 1) % this.keepEvery;
    if (this.counter === 1 || this.keepEvery === 1) return false;
    this.dropped++;
    return true;
  }
}

export interface LoggerSetup {
  config: SightlineConfig;
  sampler: InfoSampler;
  /** Where JSON lines go. @default stdout, asynchronous */
  destination?: DestinationStream;
  /** Also emit OTLP log records. */
  exportLogs: boolean;
  /** Decides info lines inside a sampled trace by that trace's fate; without it `sampler` decides every line. */
  traceLogs?: TraceLogSampler;
}

/**
 * pino's `timestamp` option: `,"ts":"<ISO 8601>"`, formatted once per millisecond. Under load many lines
 * share a millisecond, and toISOString() was a visible share of a line's cost.
 */
function isoTimestamp(): () => string {
  let lastMs = -1;
  let last = '';
  return () => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      last = `,"ts":"${new Date(now).toISOString()}"`;
    }
    return last;
  };
}

/**
 * Scrubs the bindings of every `child()` (Fastify's per-request child included) once, when the child is
 * made. Children inherit from their parent, so the override reaches grandchildren too.
 */
function withScrubbedChildren(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, options) {
    return child.call(this, scrubObject(bindings), options);
  } as Logger['child'];
  return logger;
}

/** The service logger: JSON lines on stdout (and OTLP log records), trace-correlated, scrubbed, sampled. */
export function createLogger(setup: LoggerSetup): Logger {
  const { config, sampler, traceLogs } = setup;
  const stdout = setup.destination ?? pino.destination({ dest: 1, sync: false });
  const otlp = setup.exportLogs ? otlpLogStream() : undefined;
  const write = (line: string) => {
    stdout.write(line);
    otlp?.write(line);
  };
  // Set around a log call whose line must wait for its trace's outcome; pino writes synchronously.
  let deferTrace: string | undefined;
  const destination: DestinationStream = {
    write(line: string) {
      if (deferTrace === undefined || traceLogs === undefined) write(line);
      else traceLogs.defer(deferTrace, line, write);
    },
  };
  const options: LoggerOptions = {
    level: config.logLevel,
    messageKey: 'msg',
    base: { service: config.serviceName, env: config.environment, commit: config.commit },
    timestamp: isoTimestamp(),
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => scrubObject(object),
      // No pino `redact` paths: every path they named (authorization, cookie, password, token, email,
      // body, at any depth) is a sensitive key scrubObject replaces first, and fast-redact's wildcard
      // paths ran on every line. Bindings get the same scrubber: these for `base` and `setBindings`,
      // withScrubbedChildren for `child()` (pino gives children an identity bindings formatter).
      bindings: (bindings) => scrubObject(bindings),
    },
    // Any line inside a request carries its request id (on the request's context, request-id.ts) and
    // the active span's trace and span ids.
    mixin() {
      const active = context.active();
      const requestId = requestIdOf(active);
      const span = trace.getSpan(active);
      if (span === undefined) return requestId === undefined ? {} : { request_id: requestId };
      const { traceId, spanId } = span.spanContext();
      return requestId === undefined
        ? { trace_id: traceId, span_id: spanId }
        : { request_id: requestId, trace_id: traceId, span_id: spanId };
    },
    hooks: {
      logMethod(args, method, level) {
        const span = traceLogs === undefined ? undefined : trace.getActiveSpan()?.spanContext();
        const verdict = traceLogs?.verdict(level, span) ?? 'untraced';
        if (verdict === 'drop' || (verdict === 'untraced' && sampler.drop(level))) return;
        for (let i = 0; i < args.length; i++) {
          const arg = args[i];
          if (typeof arg === 'string') (args as unknown[])[i] = scrubString(arg);
        }
        if (verdict !== 'defer') return method.apply(this, args as Parameters<typeof method>);
        deferTrace = span?.traceId;
        try {
          return method.apply(this, args as Parameters<typeof method>);
        } finally {
          deferTrace = undefined;
        }
      },
    },
  };
  // Without deferral or export, pino writes to stdout itself (its fast path for a SonicBoom).
  if (traceLogs === undefined && otlp === undefined) return withScrubbedChildren(pino(options, stdout));
  return withScrubbedChildren(pino(options, destination));
}
