import { createHash, timingSafeEqual } from 'node:crypto';
import { errors } from './errors.js';

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

/** Checks one request's `Authorization` header against the instance's admin token. */
export type AdminGuard = (authorization: string | undefined) => GuardResult;

// The admin token never sits on the Sightline object: a closure over it does, under a symbol no other
// module can name, non-enumerable, so JSON.stringify, util.inspect and spreading never show it.
const ADMIN_GUARD = Symbol('sightline.adminGuard');

/** Gives `target` (the object `init()` returns) its admin check; the token stays in the closure. */
export function attachAdminGuard<T extends object>(target: T, adminToken: string | undefined, publicInDev: boolean): T {
  const guard: AdminGuard = (authorization) => checkAdmin(authorization, adminToken, publicInDev);
  Object.defineProperty(target, ADMIN_GUARD, { value: guard, enumerable: false });
  return target;
}

/** The admin check of an object `init()` returned; `SIGHTLINE_NOT_INITIALIZED` for anything else. */
export function adminGuardOf(sightline: object): AdminGuard {
  const guard = (sightline as { [ADMIN_GUARD]?: AdminGuard })[ADMIN_GUARD];
  if (guard === undefined) throw errors.NOT_INITIALIZED('HTTP adapter');
  return guard;
}
