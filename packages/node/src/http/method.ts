import type { Span } from '@opentelemetry/api';

/**
 * The HTTP methods the semantic conventions know (RFC 9110, PATCH, QUERY). Any other method a
 * client sends becomes `_OTHER`, so span names and span metrics do not grow a series per invented
 * method (`PURGE unmatched`, `PROPFIND /`).
 */
export const KNOWN_HTTP_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
  'QUERY',
]);
export const OTHER_METHOD = '_OTHER';

/** `method` as `http.request.method` carries it: upper-cased when known, else `_OTHER`. */
export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return 'GET';
  const upper = method.toUpperCase();
  return KNOWN_HTTP_METHODS.has(upper) ? upper : OTHER_METHOD;
}

/**
 * The HTTP instrumentation names its spans after the raw method (`PURGE`, then `PURGE <route>`)
 * while it already records `http.request.method` as `_OTHER`; this renames such a span to match.
 * Called from its request hook (the start name) and its `applyCustomAttributesOnSpan` (after the
 * route was added). A name that does not start with the method is left alone.
 */
export function normalizeSpanName(span: Span, method: string | undefined): void {
  if (method === undefined || normalizeMethod(method) !== OTHER_METHOD) return;
  // The SDK's span keeps its name readable; the API type does not expose it.
  const name = (span as unknown as { name?: unknown }).name;
  if (typeof name !== 'string' || !(name === method || name.startsWith(`${method} `))) return;
  span.updateName(`${OTHER_METHOD}${name.slice(method.length)}`);
}
