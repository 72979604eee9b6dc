import pg from 'pg';
import type { Campus } from './context.js';
import type { DomainMetrics } from './obs.js';

export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
  // An idle client's connection dying is reported here; without a listener it would crash the process.
  pool.on('error', () => {});
  return pool;
}

/**
 * Feeds `divan.db.connections{state}` from the pool. The instrument is an up-down counter, so each
 * sample adds the change since the last one and the exported value equals the pool's current counts.
 * Returns a function that takes this pool's contribution back out (on close).
 */
export function observePool(pool: pg.Pool, metrics: DomainMetrics): () => void {
  let last = { active: 0, idle: 0 };
  const set = (now: { active: number; idle: number }) => {
    if (now.active !== last.active) metrics.dbConnections.add(now.active - last.active, { state: 'active' });
    if (now.idle !== last.idle) metrics.dbConnections.add(now.idle - last.idle, { state: 'idle' });
    last = now;
  };
  const sample = () => set({ active: pool.totalCount - pool.idleCount, idle: pool.idleCount });
  const later = () => queueMicrotask(sample);
  pool.on('connect', later).on('acquire', later).on('remove', later).on('release', later);
  sample();
  return () => set({ active: 0, idle: 0 });
}

export async function loadCampuses(pool: pg.Pool): Promise<Map<string, Campus>> {
  const { rows } = await pool.query<{ id: string; lat: number; lon: number; radius_m: number }>(
    'SELECT id, lat, lon, radius_m FROM campuses ORDER BY id LIMIT 200',
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, lat: r.lat, lon: r.lon, radiusM: r.radius_m }]));
}
