/**
 * @module Online backup and offline restore of the SQLite database file.
 *
 * Backup copies a consistent snapshot through SQLite's backup API while the server keeps writing; restore
 * swaps a verified copy into place and must only run with the server stopped (it refuses a database that
 * another connection still holds).
 */
import { closeSync, copyFileSync, constants, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Conflict, Invalid, NotFound } from '../errors';

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** SQLite's companions of a WAL-mode database file; a stale one would be replayed into whichever file takes the name. */
const SIDE_FILES = ['-wal', '-shm'] as const;

/** The largest step better-sqlite3 accepts. */
const ALL_REMAINING_PAGES = 0x7fffffff;

/**
 * Copies `source` into the new file `destination`, then checks the copy with `PRAGMA integrity_check`.
 *
 * By default the copy is one backup step: a single read transaction, so the snapshot is consistent and writers
 * in other processes (the running server) never restart it; in WAL mode they are not blocked meanwhile.
 * `onProgress` may instead return how many pages the next step copies (0 copies none this turn), yielding to the event loop
 * between steps. Slices only suit a source whose writes go through this same connection, which SQLite mirrors
 * into the copy; a write by any other connection restarts the copy from the first page.
 * @example
 * const { pages, bytes, ms } = await backupDatabase(services.database.sqlite, '/backups/exigent-2026-05-01.db');
 */
export async function backupDatabase(
  source: BetterSqlite3.Database,
  destination: string,
  onProgress?: (progress: BackupProgress) => number | void,
): Promise<{ pages: number; bytes: number; ms: number }> {
  for (const file of [destination, ...SIDE_FILES.map((s) => destination + s)]) {
    if (existsSync(file)) throw new Conflict(`${file} already exists; refusing to overwrite it with a backup`);
  }
  mkdirSync(dirname(destination), { recursive: true });
  const started = performance.now();
  // better-sqlite3 copies nothing in its first step, then as many pages as the progress hook returns.
  const result = await source.backup(destination, { progress: (progress) => onProgress?.(progress) ?? ALL_REMAINING_PAGES });
  assertIntact(destination);
  return { pages: result.totalPages, bytes: statSync(destination).size, ms: Math.round(performance.now() - started) };
}

/**
 * Replaces the database file `target` with a verified copy of `backupFile`. THE SERVER MUST BE STOPPED: a running
 * server would go on writing into the replaced file through its open handle, and its write-ahead log and shared
 * memory would no longer match the file under the name. Refuses while any connection holds `target`.
 * The swap is a rename of a synced temporary copy, so a crash leaves either the old or the restored database.
 * @example
 * restoreDatabase('/backups/exigent-2026-05-01.db', './data/exigent.db');
 */
export function restoreDatabase(backupFile: string, target: string): void {
  if (!existsSync(backupFile)) throw new NotFound(`${backupFile} does not exist`);
  // Committed pages still in the backup's own WAL would not come along with a copy of the main file.
  if (statSync(`${backupFile}-wal`, { throwIfNoEntry: false })?.size) {
    throw new Conflict(`${backupFile}-wal is not empty: the backup is open elsewhere or was not closed cleanly`);
  }
  refuseIfInUse(target);
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.restoring-${process.pid}`;
  try {
    copyFileSync(backupFile, temporary, constants.COPYFILE_EXCL);
    // Verify the very bytes that become the database, and make them durable before the rename points at them.
    assertIntact(temporary);
    fsyncPath(temporary, 'r+');
    for (const suffix of SIDE_FILES) rmSync(target + suffix, { force: true });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncPath(dirname(target), 'r');
}

/**
 * Every connection to a WAL database holds a shared lock on the file for as long as it is open, so an exclusive
 * lock is granted only when nobody (no server, no CLI) has it open. Closing the probe checkpoints any WAL left by
 * a crash and removes it.
 */
function refuseIfInUse(target: string): void {
  if (!existsSync(target)) return;
  const probe = new BetterSqlite3(target, { fileMustExist: true });
  try {
    probe.pragma('busy_timeout = 0');
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Conflict(`${target} is in use (is the server running?); stop the server before restoring`);
    }
    // Any other failure means the target is damaged, which is what a restore is for: it is replaced regardless.
  } finally {
    probe.close();
  }
}

/**
 * A read-only connection to a WAL-mode file would leave empty -wal and -shm files behind; a read-write one with
 * query_only cannot write either, and its close cleans them up.
 */
function assertIntact(file: string): void {
  let verdict: string[];
  const db = new BetterSqlite3(file, { fileMustExist: true });
  try {
    db.pragma('query_only = ON');
    verdict = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check);
  } catch (error) {
    throw new Invalid(`${file} is not a usable SQLite database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
  if (verdict.join() !== 'ok') throw new Invalid(`${file} fails PRAGMA integrity_check: ${verdict.slice(0, 5).join('; ')}`);
}

function fsyncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
