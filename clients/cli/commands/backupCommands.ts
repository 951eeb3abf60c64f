/** @module CLI commands to back up the live database and restore it, each followed by the log self-check on the result. */
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig, type Config } from '../../../src/config/loadConfig';
import type { NoteVerifier } from '../../../src/audit-log/tlog';
import { selfCheckDatabase } from '../../../src/compliance/selfCheckDatabase';
import { Conflict, Invalid, NotFound } from '../../../src/errors';
import { loadOrCreateSigningKey } from '../../../src/runtime/node/logKeyFile';
import { backupDatabase, restoreDatabase } from '../../../src/storage/backup';
import { openSqliteDatabase } from '../../../src/storage/sqliteDatabase';
import type { Command, CommandContext } from './command';

function fileDatabase(config: Config): string {
  if (config.dbPath === ':memory:') throw new Invalid('EXIGENT_DB is :memory:; there is no database file to back up or restore');
  return config.dbPath;
}

/**
 * The live configuration's log key, loaded before anything is copied. Its path comes from the live config, never
 * from the copy's location (the default sits next to the database, not next to a backup). It must already exist:
 * a fresh key would make every signed checkpoint look forged, and a server started on a restored database
 * without its key would create one and sign a fork.
 */
async function liveLogKey(config: Config): Promise<NoteVerifier> {
  if (!existsSync(config.logKeyPath)) {
    throw new NotFound(`log signing key ${config.logKeyPath} not found; set EXIGENT_LOG_KEY to the live server's key file (it is not inside the database)`);
  }
  return loadOrCreateSigningKey(config.logKeyPath, config.logOrigin);
}

async function checkLog(file: string, verifier: NoteVerifier, print: CommandContext['print']): Promise<boolean> {
  // No migrations: the check reads the log exactly as it was copied.
  const database = openSqliteDatabase({ path: file, migrate: false });
  try {
    const report = await selfCheckDatabase({ database }, verifier);
    for (const problem of report.problems) print(`FAIL ${problem}`);
    print(report.ok ? `log OK: ${report.size} entries and ${report.checkpointsChecked} checkpoints match the signed roots` : `log TAMPERED: ${report.problems.length} problem(s) found`);
    return report.ok;
  } finally {
    database.close();
  }
}

export const backupCommands: Record<string, Command> = {
  backup: {
    summary: 'Copy a consistent snapshot of the database (safe while the server runs), then self-check the copy',
    usage: 'backup <new file>',
    async run({ env, positionals, print }) {
      const [file] = positionals;
      if (!file) throw new Error('usage: backup <new file>');
      const config = loadConfig(env);
      const dbPath = fileDatabase(config);
      if (!existsSync(dbPath)) throw new NotFound(`no database at ${dbPath} (EXIGENT_DB)`);
      const verifier = await liveLogKey(config);
      // The raw handle: opening through openSqliteDatabase would run migrations on the live database.
      const source = new BetterSqlite3(dbPath, { fileMustExist: true });
      let copied: Awaited<ReturnType<typeof backupDatabase>>;
      try {
        source.pragma('busy_timeout = 5000');
        copied = await backupDatabase(source, file);
      } finally {
        source.close();
      }
      print(`backup OK: ${copied.pages} pages (${copied.bytes} bytes) copied to ${file} in ${copied.ms} ms`);
      return (await checkLog(file, verifier, print)) ? 0 : 1;
    },
  },
  restore: {
    summary: 'Replace the database with a verified backup (stop the server first), then self-check it',
    usage: 'restore <backup file> [--force]',
    options: { force: { type: 'boolean' } },
    async run({ env, values, positionals, print }) {
      const [file] = positionals;
      if (!file) throw new Error('usage: restore <backup file> [--force]');
      const config = loadConfig(env);
      const target = fileDatabase(config);
      if (existsSync(target) && !values.force) {
        throw new Conflict(`${target} exists; restoring discards everything in it: stop the server and pass --force to replace it`);
      }
      const verifier = await liveLogKey(config);
      restoreDatabase(file, target);
      print(`restore OK: ${file} is now ${target}`);
      return (await checkLog(target, verifier, print)) ? 0 : 1;
    },
  },
};
