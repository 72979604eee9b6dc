import type { z } from 'zod';
import { badRequest } from './errors.js';

/**
 * Parses `value` with `schema` or throws a 400 naming the first bad field, what was expected and
 * what came (never echoing the value itself: it may be a password or a message body).
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)].join('.');
  throw badRequest('validation', `${path}: ${issue?.message ?? 'invalid value'}`);
}
