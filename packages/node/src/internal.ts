import { errors } from './errors.js';
import type { LoadMeter } from './load.js';
import type { Sightline } from './types.js';

/** State the HTTP adapters need but the public object must not expose (the admin token). */
export interface SightlineInternals {
  adminToken: string | undefined;
  load: LoadMeter;
}

const internals = new WeakMap<Sightline, SightlineInternals>();

export function attachInternals(sightline: Sightline, value: SightlineInternals): void {
  internals.set(sightline, value);
}

export function internalsOf(sightline: Sightline): SightlineInternals {
  const value = internals.get(sightline);
  if (value === undefined) throw errors.NOT_INITIALIZED('sightline');
  return value;
}
