import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** Where the versioned SQL files live: `NNNN_name.sql`, applied in order. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
/** The version the service's code needs; readiness compares the applied one with HEALTH_MIN_MIGRATION. */
export const LATEST_MIGRATION = '0008';

const FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;
// Any constant works; it keeps two instances starting at once from migrating twice.
const LOCK_ID = 0x64697661;

/** The highest applied version ("0000" when none), read from `schema_migrations`. */
export async function readMigrationVersion(pool: pg.Pool): Promise<string> {
  const exists = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_migrations') AS t");
  if (exists.rows[0]?.t == null) return '0000';
  const result = await pool.query<{ version: string | null }>('SELECT max(version) AS version FROM schema_migrations');
  return result.rows[0]?.version ?? '0000';
}

/** Applies every migration above the recorded version, each in its own transaction. Returns the new version. */
export async function migrate(pool: pg.Pool, dir: string = MIGRATIONS_DIR): Promise<string> {
  const files = (await readdir(dir)).filter((name) => FILE.test(name)).sort();
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set(
      (await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    for (const file of files) {
      const version = FILE.exec(file)?.[1] as string;
      if (applied.has(version)) continue;
      const sql = await readFile(`${dir}/${file}`, 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`DIVAN_MIGRATION_FAILED: ${file}: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => {});
    client.release();
  }
  return readMigrationVersion(pool);
}
