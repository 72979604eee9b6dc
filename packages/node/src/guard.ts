import { createHash, timingSafeEqual } from 'node:crypto';

/** Outcome of the admin guard: allowed, or the status to answer with (no detail is given). */
export type GuardResult = { allowed: true } | { allowed: false; status: 401 | 403 };

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Checks an `Authorization: Bearer <token>` header against the admin token in constant time
 * (both sides hashed first, so lengths leak nothing). Missing credentials -> 401, wrong -> 403.
 * `publicInDev` (OBS_METRICS_PUBLIC, refused in production by config) lets everyone in.
 */
export function checkAdmin(
  authorization: string | undefined,
  adminToken: string | undefined,
  publicInDev: boolean,
): GuardResult {
  if (publicInDev) return { allowed: true };
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match?.[1] === undefined) return { allowed: false, status: 401 };
  // Without a configured token nothing matches, but the comparison still runs so timing is the same.
  const expected = digest(adminToken ?? `unset:${Math.random()}`);
  const equal = timingSafeEqual(digest(match[1]), expected);
  return equal && adminToken !== undefined ? { allowed: true } : { allowed: false, status: 403 };
}
