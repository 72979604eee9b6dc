import { trace } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { SightlineConfig } from './config.js';
import type { LoadMeter } from './load.js';
import { REDACTED, scrubObject, scrubString } from './redact.js';

export type { Logger } from 'pino';

const INFO = 30;

/** Request ids of in-flight requests, by trace id, so any log line inside a request carries its id. */
export const requestIdsByTrace = new Map<string, string>();

// Belt and braces next to the key scrubber: well-known paths redacted by pino itself (fast-redact).
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'password',
  'token',
  'email',
  'body',
  '*.password',
  '*.token',
  '*.email',
  '*.body',
];

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
 * LoggerProvider. It runs synchronously inside the log call, so the active span is attached.
 */
export function otlpLogStream(): DestinationStream {
  const otelLogger = logs.getLogger('@sightline/node');
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
      otelLogger.emit({
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

/** Keeps 1 in N info lines while the load meter says load is high; other levels always pass. */
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
}

/** The service logger: JSON lines on stdout (and OTLP log records), trace-correlated, scrubbed, sampled. */
export function createLogger(setup: LoggerSetup): Logger {
  const { config, sampler } = setup;
  const stdout = setup.destination ?? pino.destination({ dest: 1, sync: false });
  const options: LoggerOptions = {
    level: config.logLevel,
    messageKey: 'msg',
    base: { service: config.serviceName, env: config.environment, commit: config.commit },
    timestamp: () => `,"ts":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => scrubObject(object),
    },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    mixin() {
      const span = trace.getActiveSpan();
      if (span === undefined) return {};
      const { traceId, spanId } = span.spanContext();
      const requestId = requestIdsByTrace.get(traceId);
      return requestId === undefined
        ? { trace_id: traceId, span_id: spanId }
        : { request_id: requestId, trace_id: traceId, span_id: spanId };
    },
    hooks: {
      logMethod(args, method, level) {
        if (sampler.drop(level)) return;
        for (let i = 0; i < args.length; i++) {
          const arg = args[i];
          if (typeof arg === 'string') (args as unknown[])[i] = scrubString(arg);
        }
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
  };
  if (!setup.exportLogs) return pino(options, stdout);
  return pino(
    options,
    pino.multistream([
      { level: 'trace', stream: stdout },
      { level: 'trace', stream: otlpLogStream() },
    ]),
  );
}
