/** PII scrubbing for log objects: sensitive keys are replaced, strings are scrubbed, collections truncated. */

import { shippedPiiRules } from './pii/index.js';

export const REDACTED = '[redacted]';
/** Arrays and maps longer than this are cut, with a note of how many items were dropped. */
export const MAX_COLLECTION_ITEMS = 10;
const MAX_DEPTH = 6;

// Keys whose values are never logged: secrets, message bodies, file keys, exact geo, emails.
const SENSITIVE_KEY =
  /pass(word)?|secret|token|authorization|cookie|api[-_]?key|session|e-?mail|^body$|message_?body|^content$|^text$|file_?key|s3_?key|object_?key|^lat(itude)?$|^lo?ng(itude)?$|^lon$|coord|geo|location/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// 6+ characters, as in pii/rules.yaml: "the basic plan" is prose, not a credential.
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
const WHITESPACE = /\s/;
const SDK_ID_KEYS = new Set(['request_id', 'trace_id', 'span_id']);
/** A lowercase UUID (request ids, request-id.ts) or a 16/32-digit lowercase hex id (span, trace). */
const SDK_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const SECRET_QUERY = /([?&](?:token|access_token|key|api_key|password|secret|sig|signature)=)[^&\s]+/gi;

/** Replaces emails, bearer/basic credentials, JWTs, secret query parameters, then everything pii/rules.yaml catches. */
export function scrubString(value: string): string {
  if (value.length < 6) return value;
  // Each regex only where a character every match needs is present: most values (ids, routes,
  // methods) hold none, and a skipped replace() scans nothing and copies nothing.
  let scrubbed = value;
  if (WHITESPACE.test(scrubbed)) scrubbed = scrubbed.replace(BEARER, '$1 [redacted]');
  if (scrubbed.includes('eyJ')) scrubbed = scrubbed.replace(JWT, '[jwt]');
  if (scrubbed.includes('@')) scrubbed = scrubbed.replace(EMAIL, '[email]');
  if (scrubbed.includes('=')) scrubbed = scrubbed.replace(SECRET_QUERY, '$1[redacted]');
  // Then the rules shared with the collector (pii/rules.yaml): log lines on stdout leave the process too.
  return shippedPiiRules().scrubString(scrubbed);
}

/** True when a key names data that must never be logged. */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) || shippedPiiRules().dropKey(key);
}

/** A deep, scrubbed copy of `value` that is safe to log. Errors keep type, message, stack and cause. */
export function scrubValue(value: unknown, depth = 0, key = ''): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[depth]';
  if (value instanceof Error) {
    const error: Record<string, unknown> = {
      type: value.name,
      message: scrubString(value.message),
      stack: value.stack && scrubString(value.stack),
    };
    if (value.cause !== undefined) error.cause = scrubValue(value.cause, depth + 1);
    return error;
  }
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_COLLECTION_ITEMS).map((item) => scrubValue(item, depth + 1));
    if (value.length > MAX_COLLECTION_ITEMS) kept.push(`[+${value.length - MAX_COLLECTION_ITEMS} more]`);
    return kept;
  }
  if (value instanceof Map || value instanceof Set) {
    return scrubValue(Array.from(value.entries()), depth);
  }
  if (value instanceof Date) return value.toISOString();
  return scrubObject(value as Record<string, unknown>, depth, shippedPiiRules().isHeaderMap(key));
}

/**
 * Scrubs a plain object: sensitive keys are replaced and more than 10 keys are cut. In a `headers`
 * map (pii/rules.yaml), headers that are not on the allow list are replaced too.
 */
export function scrubObject(object: Record<string, unknown>, depth = 0, headers = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  let dropped = 0;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (count >= MAX_COLLECTION_ITEMS && depth > 0) {
      dropped++;
      continue;
    }
    count++;
    const value = object[key];
    if (depth === 0 && SDK_ID_KEYS.has(key) && typeof value === 'string' && SDK_ID.test(value)) {
      // An id the SDK put on the line (request, trace, span): lowercase hex in a fixed shape that no
      // rule matches, and unique, so the rules' clean cache never knows it (~2.5 µs each to scan).
      out[key] = value;
      continue;
    }
    const secret = isSensitiveKey(key) || (headers && !shippedPiiRules().headerAllowed(key));
    out[key] = secret ? REDACTED : scrubValue(value, depth + 1, key);
  }
  if (dropped > 0) out._truncated = dropped;
  return out;
}
