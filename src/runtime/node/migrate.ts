/** @module `npm run db:migrate`: apply pending migrations to the configured SQLite database and exit. */
import { loadConfig } from '../../config/loadConfig';
import { openSqliteDatabase } from '../../storage/sqliteDatabase';

const config = loadConfig(process.env);
openSqliteDatabase({ path: config.dbPath }).close();
console.log(`Migrations applied to ${config.dbPath}`);
