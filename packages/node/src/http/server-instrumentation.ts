import type { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import {
  type Attributes,
  type Context,
  context,
  type Histogram,
  type MeterProvider,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { type RPCMetadata, RPCType, setRPCMetadata } from '@opentelemetry/core';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import { INSTRUMENTATION_SCOPE } from '../scope.js';
import { normalizeMethod } from './method.js';

type Emit = (this: unknown, event: unknown, ...args: unknown[]) => boolean;
/** A server prototype, seen only through the method this module wraps. */
interface Emitting {
  emit: Emit;
}

/**
 * The HTTP server span and `http.server.request.duration`, one of each per request, with the
 * attributes, names and statuses `@opentelemetry/instrumentation-http` gives them (stable HTTP
 * semantic conventions; docs/CONTRACT.md), at a fraction of its cost: the attributes are built once
 * in their final shape, the URL is split rather than parsed with `new URL()` when it is plain, and the
 * request's and response's events run in the request's context through one wrapped `emit` each
 * instead of `context.bind()` patching six listener methods per stream.
 *
 * It patches `emit` of `http.Server` and `https.Server`; outgoing requests stay with
 * instrumentation-http, started with its incoming side off (sdk.ts).
 */
export class HttpServerInstrumentation implements Instrumentation {
  readonly instrumentationName = INSTRUMENTATION_SCOPE;
  readonly instrumentationVersion = '1';
  private config: InstrumentationConfig = { enabled: true };
  private tracer: Tracer;
  private duration: Histogram;
  private readonly patched = new Map<Emitting, Emit>();

  constructor() {
    this.tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
    this.duration = createDurationHistogram(metrics.getMeterProvider());
    this.enable();
  }

  setTracerProvider(provider: TracerProvider): void {
    this.tracer = provider.getTracer(INSTRUMENTATION_SCOPE);
  }

  setMeterProvider(provider: MeterProvider): void {
    this.duration = createDurationHistogram(provider);
  }

  setConfig(config: InstrumentationConfig): void {
    this.config = { ...config };
  }

  getConfig(): InstrumentationConfig {
    return this.config;
  }

  enable(): void {
    this.patch(http.Server.prototype as unknown as Emitting, 'http');
    this.patch(https.Server.prototype as unknown as Emitting, 'https');
  }

  disable(): void {
    for (const [prototype, original] of this.patched) prototype.emit = original;
    this.patched.clear();
  }

  private patch(prototype: Emitting, scheme: 'http' | 'https'): void {
    if (this.patched.has(prototype)) return;
    const original = prototype.emit;
    this.patched.set(prototype, original);
    const instrumentation = this;
    prototype.emit = function emit(this: unknown, event: unknown, ...args: unknown[]): boolean {
      if (event !== 'request') return original.call(this, event, ...args);
      return instrumentation.serve(scheme, args[0] as http.IncomingMessage, args[1] as http.ServerResponse, () =>
        original.call(this, event, ...args),
      );
    };
  }

  private serve(
    scheme: 'http' | 'https',
    request: http.IncomingMessage,
    response: http.ServerResponse,
    handle: () => boolean,
  ): boolean {
    const startedAt = performance.now();
    const method = normalizeMethod(request.method);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = this.tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: requestAttributes(scheme, method, request) },
      parent,
    );
    const rpc: RPCMetadata = { type: RPCType.HTTP, span };
    const requestContext = setRPCMetadata(trace.setSpan(parent, span), rpc);
    // Body parsers and response listeners run from the socket's callbacks; running each event of
    // these two streams in the request's context keeps their spans and logs in the request's trace.
    runEventsIn(requestContext, request);
    runEventsIn(requestContext, response);
    const metricAttributes: Attributes = {
      'http.request.method': method,
      'url.scheme': scheme,
      'network.protocol.version': request.httpVersion,
    };
    let ended = false;
    const end = (error?: Error): void => {
      if (ended) return;
      ended = true;
      this.endSpan(span, method, response.statusCode, rpc.route, metricAttributes, error);
      this.duration.record((performance.now() - startedAt) / 1000, metricAttributes);
    };
    response.on('close', () => end());
    response.on('error', (error: Error) => end(error));
    return context.with(requestContext, () => {
      try {
        return handle();
      } catch (error) {
        end(error as Error);
        throw error;
      }
    });
  }

  private endSpan(
    span: Span,
    method: string,
    status: number,
    route: string | undefined,
    metricAttributes: Attributes,
    error: Error | undefined,
  ): void {
    const attributes: Attributes = { 'http.response.status_code': status };
    if (route) {
      attributes['http.route'] = route;
      metricAttributes['http.route'] = route;
      span.updateName(`${method} ${route}`);
    }
    if (status) metricAttributes['http.response.status_code'] = status;
    if (error !== undefined) {
      attributes['error.type'] = error.name;
      metricAttributes['error.type'] = error.name;
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    } else if (!(status >= 100 && status < 500)) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      if (status >= 500 && status < 600) {
        attributes['error.type'] = String(status);
        metricAttributes['error.type'] = String(status);
      }
    }
    span.setAttributes(attributes);
    span.end();
  }
}

/** Seconds, with the contract's buckets applied by the view in sdk.ts. */
function createDurationHistogram(provider: MeterProvider): Histogram {
  return provider.getMeter(INSTRUMENTATION_SCOPE).createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP server requests.',
    unit: 's',
  });
}

/** Every `emit` of `emitter` runs in `ctx`, so its listeners do wherever they were added. */
function runEventsIn(ctx: Context, emitter: EventEmitter): void {
  const emit = emitter.emit;
  emitter.emit = function emitInContext(this: EventEmitter, ...args: Parameters<EventEmitter['emit']>): boolean {
    return context.with(ctx, emit, this, ...args);
  };
}

/** Query parameters instrumentation-http replaces with `REDACTED` (signed-URL credentials). */
const REDACTED_QUERY_PARAMS = ['sig', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature'];
/** A path made only of these characters needs no parsing: `new URL()` would return it unchanged. */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)|%2e/i;

/** The server span's attributes known when the request arrives. */
function requestAttributes(scheme: string, method: string, request: http.IncomingMessage): Attributes {
  const { headers, socket } = request;
  // Parsed once: both addresses may come from it.
  const forwarded = typeof headers.forwarded === 'string' ? forwardedElement(headers.forwarded) : undefined;
  const server = serverAddress(request, scheme, forwarded);
  const attributes: Attributes = {
    'http.request.method': method,
    'url.scheme': scheme,
    'server.address': server?.host,
    'network.peer.address': socket.remoteAddress,
    'network.peer.port': socket.remotePort,
    'network.protocol.version': request.httpVersion,
    'user_agent.original': headers['user-agent'],
  };
  const { path, query } = splitTarget(request.url ?? '/', scheme, headers.host);
  if (path !== undefined) attributes['url.path'] = path;
  if (query) attributes['url.query'] = redactQuery(query);
  const client = clientAddress(request, forwarded);
  if (client !== undefined) attributes['client.address'] = client;
  if (server?.port !== undefined) attributes['server.port'] = Number(server.port);
  if (request.method !== undefined && request.method !== method)
    attributes['http.request.method_original'] = request.method;
  return attributes;
}

/** Path and query (without `?`) of a request target, as the WHATWG URL parser would give them. */
function splitTarget(target: string, scheme: string, host: string | undefined): { path?: string; query?: string } {
  const mark = target.indexOf('?');
  const path = mark === -1 ? target : target.slice(0, mark);
  if (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) {
    const query = mark === -1 ? '' : target.slice(mark + 1);
    return { path, query: query === '' ? undefined : query };
  }
  try {
    const url = new URL(target, `${scheme}://${host || 'localhost'}`);
    return { path: url.pathname, query: url.search === '' ? undefined : url.search.slice(1) };
  } catch {
    return {};
  }
}

function redactQuery(query: string): string {
  if (!REDACTED_QUERY_PARAMS.some((name) => query.includes(name))) return query;
  const params = new URLSearchParams(query);
  for (const name of REDACTED_QUERY_PARAMS) if (params.has(name)) params.set(name, 'REDACTED');
  return params.toString();
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const QUOTED = /^"((?:[^"\\]|\\.)*)"$/;

/**
 * The first element of a `Forwarded` header (RFC 7239), parameter names lower-cased; empty when the
 * element is malformed (e.g. an unquoted `host=a:8080`), which instrumentation-http also ignores.
 */
function forwardedElement(header: string): Record<string, string> {
  const element: Record<string, string> = {};
  for (const pair of (header.split(',')[0] ?? '').split(';')) {
    const equals = pair.indexOf('=');
    const name = pair.slice(0, equals).trim().toLowerCase();
    const raw = pair.slice(equals + 1).trim();
    const quoted = QUOTED.exec(raw);
    if (equals === -1 || !TOKEN.test(name) || (quoted === null && !TOKEN.test(raw)) || name in element) return {};
    element[name] = quoted === null ? raw : (quoted[1] ?? '').replace(/\\(.)/g, '$1');
  }
  return element;
}

/** `server.address` and `server.port`: Forwarded, X-Forwarded-Host, then Host (HTTP semconv 1.27). */
function serverAddress(
  request: http.IncomingMessage,
  scheme: string,
  forwarded: Record<string, string> | undefined,
): { host: string; port?: string } | undefined {
  const { headers } = request;
  if (forwarded?.host !== undefined) return parseHost(forwarded.host, forwarded.proto);
  const forwardedHost = firstHeader(headers['x-forwarded-host']);
  if (forwardedHost) return parseHost(forwardedHost, firstHeader(headers['x-forwarded-proto']));
  const host = headers.host;
  return typeof host === 'string' && host.length > 0 ? parseHost(host, scheme) : undefined;
}

function parseHost(host: string, scheme: string | undefined): { host: string; port?: string } {
  const defaultPort = scheme === 'http' ? '80' : scheme === 'https' ? '443' : undefined;
  const colon = host.lastIndexOf(':');
  // An IPv6 literal without a port ends with `]`.
  if (colon === -1 || host.endsWith(']')) return { host, port: defaultPort };
  if (host.startsWith('[') || host.indexOf(':') === colon)
    return { host: host.slice(0, colon), port: host.slice(colon + 1) };
  return { host };
}

/** `client.address`: Forwarded `for`, the first X-Forwarded-For entry, else the peer (without a port). */
function clientAddress(
  request: http.IncomingMessage,
  forwarded: Record<string, string> | undefined,
): string | undefined {
  if (forwarded?.for !== undefined) return stripPort(forwarded.for);
  const forwardedFor = firstHeader(request.headers['x-forwarded-for']);
  if (forwardedFor !== undefined) return stripPort((forwardedFor.split(',')[0] ?? '').trim());
  return request.socket.remoteAddress;
}

function stripPort(address: string): string {
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    return close === -1 ? address : address.slice(1, close);
  }
  const colon = address.indexOf(':');
  // One colon is host:port; more is a bare IPv6 address.
  return colon !== -1 && colon === address.lastIndexOf(':') ? address.slice(0, colon) : address;
}
