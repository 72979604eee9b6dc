import type pg from 'pg';
import type { createClient } from 'redis';
import type { TokenSigner } from './auth/tokens.js';
import type { DivanConfig } from './config.js';
import type { Observability } from './obs.js';
import type { RateLimiter } from './ratelimit.js';

export type RedisClient = ReturnType<typeof createClient>;

/** What every route module gets: config, stores, observability. */
export interface Deps {
  readonly config: DivanConfig;
  readonly pool: pg.Pool;
  readonly redis: RedisClient;
  readonly obs: Observability;
  readonly tokens: TokenSigner;
  readonly limiter: RateLimiter;
  /** Campus ids and geofences, loaded from the database at start. */
  readonly campuses: ReadonlyMap<string, Campus>;
}

export interface Campus {
  readonly id: string;
  readonly lat: number;
  readonly lon: number;
  readonly radiusM: number;
}
