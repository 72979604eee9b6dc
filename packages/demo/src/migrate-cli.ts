// `npm run migrate -w @sightline/demo`: applies the SQL migrations and prints the version.
import { loadConfig } from './config.js';
import { createPool } from './db.js';
import { migrate } from './migrate.js';

const config = loadConfig();
const pool = createPool(config.DATABASE_URL, 1);
try {
  process.stdout.write(`migrated to ${await migrate(pool)}\n`);
} finally {
  await pool.end();
}
