/**
 * Applies the SQL migrations and exits: Heroku's `release` phase runs this before new code serves.
 */
import { ConfigError, loadConfig } from '../src/config';
import { openDb } from '../src/db';
import { migrate } from '../src/db/migrate';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrate(db);
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date.');
  } finally {
    await db.close();
  }
}

main().catch((err: Error) => {
  console.error(err instanceof ConfigError ? `Configuration error: ${err.message}` : `Migration failed: ${err.message}`);
  process.exit(1);
});
