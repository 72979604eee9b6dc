import {
  type Attributes,
  type Context,
  context,
  diag,
  type Link,
  type Meter,
  metrics,
  type ObservableResult,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { DEFAULT_METRIC_NAMESPACE, SDK_METRICS, type SdkCatalog, sdkCatalog } from './catalog/builtin.js';
import { identifier, resolveLabelValues } from './catalog/labels.js';
import { attributesFor, createRecorder } from './catalog/recorders.js';
import type { Recorders } from './catalog/types.js';
import { activeSightline } from './init.js';
import type { ErrorLogger } from './jobs.js';
import { INSTRUMENTATION_SCOPE } from './scope.js';
import type { Sightline } from './types.js';

// Structural types: the SDK needs no runtime or type dependency on socket.io.
type Listener = (...args: unknown[]) => unknown;

/** The parts of a socket.io `Socket` the instrumentation uses. */
export interface SocketIOSocketLike {
  readonly id: string;
  readonly connected: boolean;
  readonly nsp: { readonly name: string };
  readonly handshake: { readonly headers: object; readonly auth: object };
  on(event: string, listener: Listener): unknown;
  use(fn: (packet: unknown[], next: (err?: Error) => void) => void): unknown;
}

/** The parts of a socket.io `Namespace` the instrumentation uses. */
export interface SocketIONamespaceLike {
  readonly name: string;
  readonly sockets: ReadonlyMap<string, unknown>;
  readonly adapter: { readonly rooms: ReadonlyMap<string, ReadonlySet<string>> };
  prependListener(event: 'connection', listener: (socket: SocketIOSocketLike) => void): unknown;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}

/** The parts of a socket.io `Server` the instrumentation uses. */
export interface SocketIOServerLike {
  readonly sockets: SocketIONamespaceLike;
}

/** Options of {@link instrumentSocketIO}. */
export interface SocketIOInstrumentationOptions {
  /**
   * The instance whose meter, tracer and metric namespace the instrumentation uses.
   * @default the instance `init()` returned; without one the global meter and tracer, namespace `app`
   */
  sightline?: Sightline;
  /** Meter for the clients, events and room-size instruments. @default the instance's meter */
  meter?: Meter;
  /** Tracer for handler spans. @default the instance's tracer */
  tracer?: Tracer;
  /**
   * Namespaces recorded by name in the `namespace` label; others are `other`.
   * @default the namespaces that exist when `instrumentSocketIO` is called
   */
  namespaces?: readonly string[];
  /** Event names recorded by name in the `event` label and span names; others are `other`. @default [] */
  events?: readonly string[];
  /** Also observe `<namespace>.socketio.room.size` (largest shared room per namespace). @default false */
  debug?: boolean;
  /** Where handler errors are logged (a pino logger fits). @default OpenTelemetry's diag logger */
  logger?: ErrorLogger;
}

/** What {@link instrumentSocketIO} returns. */
export interface SocketIOInstrumentation {
  /** Stops instrumenting new namespaces and observing room sizes. Connected sockets keep their counts. */
  stop(): void;
}

// Events the socket emits itself; their listeners are not message handlers.
const RESERVED_EVENTS = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'error',
  'newListener',
  'removeListener',
]);
const LISTENER_METHODS = ['on', 'addListener', 'prependListener'] as const;

type SocketRecorders = Pick<Recorders<SdkCatalog>, 'socketioClients' | 'socketioEvents' | 'unhandledExceptions'>;

/**
 * Instruments a socket.io server:
 * - `<namespace>.socketio.clients{namespace}` goes up on connection and down exactly once on disconnect;
 * - `<namespace>.socketio.events{namespace,event}` counts every incoming event;
 * - each event handler runs in its own span `socket.io <event>`, linked to the connection's span
 *   (itself a child of the handshake's `traceparent`, from headers or `auth.traceparent`);
 * - a handler that throws or rejects is recorded on its span, logged, and counted in
 *   `<namespace>.unhandled.exceptions`, and never reaches the process;
 * - with `debug`, `<namespace>.socketio.room.size{namespace}` observes the largest shared room.
 * `<namespace>` is the instance's metric namespace (`sightline.metricNamespace`).
 * It may be called before or after the service adds its `connection` handlers: its own runs first.
 */
export function instrumentSocketIO(
  io: SocketIOServerLike,
  options: SocketIOInstrumentationOptions = {},
): SocketIOInstrumentation {
  const sightline = options.sightline ?? activeSightline();
  const meter = options.meter ?? sightline?.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE);
  const tracer = options.tracer ?? sightline?.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
  const existing = existingNamespaces(io);
  const catalog = sdkCatalog(sightline?.metricNamespace ?? DEFAULT_METRIC_NAMESPACE);
  const resolved = resolveLabelValues(catalog.labelSets, {
    socketNamespaces: options.namespaces ?? existing.map((nsp) => nsp.name),
    socketEvents: options.events ?? [],
  });
  const recorders = {
    socketioClients: createRecorder(meter, catalog, SDK_METRICS.socketioClients, resolved),
    socketioEvents: createRecorder(meter, catalog, SDK_METRICS.socketioEvents, resolved),
    unhandledExceptions: createRecorder(meter, catalog, SDK_METRICS.unhandledExceptions, resolved),
  } as SocketRecorders;
  const namespaceAttributes = attributesFor(SDK_METRICS.socketioClients, resolved);
  const eventAttributes = attributesFor(SDK_METRICS.socketioEvents, resolved);
  const logger = options.logger;

  const instrumented = new Set<SocketIONamespaceLike>();
  const instrument = (nsp: SocketIONamespaceLike): void => {
    if (instrumented.has(nsp)) return;
    instrumented.add(nsp);
    nsp.prependListener('connection', (socket) => safely(logger, () => onConnection(socket)));
  };

  const onConnection = (socket: SocketIOSocketLike): void => {
    if (!socket.connected) return;
    const labels = { namespace: socket.nsp.name };
    const namespaceLabel = String(namespaceAttributes(labels).namespace);
    recorders.socketioClients.inc(labels);
    let connected = true;
    socket.on('disconnect', () => {
      // socket.io emits 'disconnect' once, but the gauge must not drift even if that ever changes.
      if (!connected) return;
      connected = false;
      recorders.socketioClients.dec(labels);
    });
    socket.use((packet, next) => {
      safely(logger, () => recorders.socketioEvents.inc({ namespace: socket.nsp.name, event: String(packet[0]) }));
      next();
    });
    const link = connectionLink(tracer, socket, namespaceLabel);
    const wrapHandler = (event: string, listener: Listener): Listener => {
      const eventLabel = String(eventAttributes({ namespace: socket.nsp.name, event }).event);
      const spanAttributes: Attributes = {
        'messaging.system': 'socket.io',
        'socketio.namespace': namespaceLabel,
        'socketio.event': eventLabel,
      };
      const wrapped = function (this: unknown, ...args: unknown[]): void {
        const span = tracer.startSpan(
          `socket.io ${eventLabel}`,
          { kind: SpanKind.CONSUMER, links: [link], attributes: spanAttributes },
          ROOT_CONTEXT,
        );
        const fail = (error: unknown): void => {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          recorders.unhandledExceptions.inc({ type: errorType(error) });
          report(logger, { err: error, namespace: namespaceLabel, event: eventLabel }, 'socket.io handler failed');
        };
        let result: unknown;
        try {
          result = context.with(trace.setSpan(ROOT_CONTEXT, span), () => listener.apply(this, args));
        } catch (error) {
          fail(error);
          span.end();
          return;
        }
        if (isThenable(result)) {
          result.then(
            () => span.end(),
            (error: unknown) => {
              fail(error);
              span.end();
            },
          );
        } else {
          span.end();
        }
      };
      // Node's removeListener matches `.listener`, so socket.off(event, original) still works.
      return Object.assign(wrapped, { listener }) as Listener;
    };
    patchListenerMethods(socket, wrapHandler);
  };

  for (const nsp of existing) instrument(nsp);
  const onNewNamespace = ((nsp: SocketIONamespaceLike) => instrument(nsp)) as Listener;
  io.sockets.on('new_namespace', onNewNamespace);

  const stopRoomGauge = options.debug ? observeRoomSizes(meter, catalog, instrumented, namespaceAttributes) : () => {};
  return {
    stop() {
      io.sockets.off('new_namespace', onNewNamespace);
      stopRoomGauge();
    },
  };
}

/** Every namespace the server has now; `_nsps` is internal, so fall back to the main namespace. */
function existingNamespaces(io: SocketIOServerLike): SocketIONamespaceLike[] {
  const all = (io as { _nsps?: unknown })._nsps;
  return all instanceof Map ? [...(all.values() as Iterable<SocketIONamespaceLike>)] : [io.sockets];
}

/** Starts and ends a `socket.io connect` span under the handshake's trace; handler spans link to it. */
function connectionLink(tracer: Tracer, socket: SocketIOSocketLike, namespace: string): Link {
  const headers = socket.handshake.headers as Record<string, unknown>;
  const auth = socket.handshake.auth as Record<string, unknown>;
  const carrier: Record<string, unknown> = { ...headers };
  if (typeof auth.traceparent === 'string') carrier.traceparent = auth.traceparent;
  if (typeof auth.tracestate === 'string') carrier.tracestate = auth.tracestate;
  const extracted = propagation.extract(ROOT_CONTEXT, carrier);
  const parent: Context = trace.getSpanContext(extracted) ? extracted : context.active();
  const span = tracer.startSpan(
    'socket.io connect',
    { kind: SpanKind.SERVER, attributes: { 'messaging.system': 'socket.io', 'socketio.namespace': namespace } },
    parent,
  );
  span.end();
  return { context: span.spanContext() };
}

/** Makes every way of adding a listener wrap non-reserved events; `once` goes through `on`. */
function patchListenerMethods(socket: SocketIOSocketLike, wrap: (event: string, listener: Listener) => Listener): void {
  const target = socket as unknown as Record<string, (event: string, listener: Listener) => unknown>;
  for (const method of LISTENER_METHODS) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    target[method] = function (this: unknown, event: string, listener: Listener) {
      const handler =
        typeof event === 'string' && !RESERVED_EVENTS.has(event) && typeof listener === 'function'
          ? wrap(event, listener)
          : listener;
      return original.call(this, event, handler);
    };
  }
}

function observeRoomSizes(
  meter: Meter,
  catalog: SdkCatalog,
  namespaces: ReadonlySet<SocketIONamespaceLike>,
  namespaceAttributes: (labels: unknown) => Attributes,
): () => void {
  const definition = SDK_METRICS.socketioRoomSize;
  const gauge = meter.createObservableGauge(catalog.instruments.socketioRoomSize.name, {
    unit: definition.unit,
    description: definition.description,
  });
  const callback = (result: ObservableResult): void => {
    const largest = new Map<string, number>();
    for (const nsp of namespaces) {
      const label = String(namespaceAttributes({ namespace: nsp.name }).namespace);
      let size = largest.get(label) ?? 0;
      for (const [room, members] of nsp.adapter.rooms) {
        // Every socket sits alone in a room named after its id; those say nothing about fan-out.
        if (!nsp.sockets.has(room)) size = Math.max(size, members.size);
      }
      largest.set(label, size);
    }
    for (const [namespace, size] of largest) result.observe(size, { namespace });
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function errorType(error: unknown): string {
  return identifier(error instanceof Error ? error.name : typeof error);
}

function report(logger: ErrorLogger | undefined, fields: object, message: string): void {
  try {
    if (logger) logger.error(fields, message);
    else diag.error(message, fields);
  } catch {
    // Logging must not turn a contained handler error into an uncaught one.
  }
}

/** Runs instrumentation code so that its own bugs are logged instead of breaking the host's socket. */
function safely(logger: ErrorLogger | undefined, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    report(logger, { err: error }, 'socket.io instrumentation failed');
  }
}
