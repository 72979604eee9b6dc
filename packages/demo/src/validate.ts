import type { z } from 'zod';
import { badRequest } from './errors.js';

/** Where a value came from, the first segment of every error path. */
export type Where = 'body' | 'query' | 'params' | 'payload';

/** Nesting the text check walks before it calls the input malformed (Fastify's JSON is already bounded). */
const MAX_DEPTH = 32;
/** With the `u` flag a valid surrogate pair is one code point, so `\p{Cs}` matches only unpaired halves. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The first string (object key or value) in `value` that PostgreSQL or Redis would refuse or
 * silently alter: a NUL character (PostgreSQL `text` rejects it) or an unpaired UTF-16 surrogate
 * (not encodable as UTF-8, so the drivers would store U+FFFD instead). Returns its path and why,
 * or undefined when every string is clean.
 */
export function findBadText(
  value: unknown,
  path: string[] = [],
  depth = 0,
): { path: string[]; why: string } | undefined {
  if (typeof value === 'string') {
    if (value.includes('\0')) return { path, why: 'expected text without NUL characters' };
    if (LONE_SURROGATE.test(value))
      return { path, why: 'expected well-formed text, found an unpaired UTF-16 surrogate' };
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return { path, why: `expected at most ${MAX_DEPTH} levels of nesting` };
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = findBadText(key, [...path, '(key)'], depth + 1);
    if (keyProblem) return { path, why: `${keyProblem.why} in a key` };
    const problem = findBadText(item, [...path, key], depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** The outcome of {@link check}: the parsed value, or the message a 400 (or a socket ack) carries. */
export type Checked<T> = { ok: true; data: T } | { ok: false; message: string };

/**
 * Validates `value` with `schema` after refusing text no store accepts ({@link findBadText}), so
 * every route and Socket.IO event shares one guard. The message names the bad field, what was
 * expected and never echoes the value (it may be a password or a message body).
 */
export function check<S extends z.ZodType>(schema: S, value: unknown, where: Where): Checked<z.output<S>> {
  const input = value ?? {};
  const bad = findBadText(input);
  if (bad) return { ok: false, message: `${[where, ...bad.path].join('.')}: ${bad.why}` };
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)].join('.');
  return { ok: false, message: `${path}: ${issue?.message ?? 'invalid value'}` };
}

/** {@link check}, or throws a 400 `validation` error naming the first bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: Exclude<Where, 'payload'>): z.output<S> {
  const result = check(schema, value, where);
  if (!result.ok) throw badRequest('validation', result.message);
  return result.data;
}
