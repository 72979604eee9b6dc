import { randomUUID } from 'node:crypto';
import {
  type Context,
  createContextKey,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';

/** The header a request id arrives in and is answered with. */
export const REQUEST_ID_HEADER = 'x-request-id';

const REQUEST_ID = createContextKey('sightline.request_id');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keeps an incoming request id when it is a UUID (so it cannot smuggle text into logs), else makes a v4 one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && UUID.test(value) ? value.toLowerCase() : randomUUID();
}

/** The request id on `context`: set for every request the HTTP instrumentation serves. */
export function requestIdOf(context: Context): string | undefined {
  return context.getValue(REQUEST_ID) as string | undefined;
}

/**
 * Puts the request id on the OpenTelemetry context of each incoming request, next to its trace
 * context. The HTTP instrumentation builds that context with `propagation.extract()` and binds the
 * request's streams to it, so everything the request runs (handlers, body parsers, database callbacks)
 * sees the id, and two requests of one trace each see their own. No extra `context.with()`: the id
 * rides on the context the instrumentation creates anyway. Nothing is injected into outgoing calls.
 */
export class RequestIdPropagator implements TextMapPropagator {
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = getter.get(carrier, REQUEST_ID_HEADER);
    // A later extract() inside a request (e.g. of a message's headers) keeps the request's id.
    if (header === undefined && requestIdOf(context) !== undefined) return context;
    return context.setValue(REQUEST_ID, requestIdFrom(header));
  }

  inject(_context: Context, _carrier: unknown, _setter: TextMapSetter): void {}

  fields(): string[] {
    return [];
  }
}
