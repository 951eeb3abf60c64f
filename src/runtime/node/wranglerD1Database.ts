/**
 * @module A D1 database reached through the wrangler CLI (`wrangler d1 execute`), for operator commands run from a
 * workstation against a Worker's database — local (`--local`, the state `wrangler dev` uses) or deployed
 * (`--remote`). Slow (a process per statement) and for a handful of statements only: the first administrator's
 * link, which on Workers has no console to be printed on.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import type { Database, Db, Statement } from '../../storage/database';

const run = promisify(execFile);

export interface WranglerD1Options {
  /** `local` uses wrangler's local state (`persistTo`, default .wrangler/state); `remote` the deployed database. */
  target: 'local' | 'remote';
  persistTo?: string;
  /** The D1 binding or database name in wrangler.toml. */
  database?: string;
  configPath?: string;
}

export function wranglerD1Database(options: WranglerD1Options): Database {
  const base = [
    'wrangler', 'd1', 'execute', options.database ?? 'DB', `--${options.target}`, '--json',
    ...(options.configPath ? ['--config', options.configPath] : []),
    ...(options.persistTo ? ['--persist-to', options.persistTo] : []),
  ];
  const wrangler = async (args: string[]): Promise<Array<Record<string, unknown>>> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const { stdout } = await run('npx', [...base, ...args], { env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }, maxBuffer: 16 << 20 });
        const answers = JSON.parse(stdout) as Array<{ results: Array<Record<string, unknown>> }>;
        return answers.flatMap((a) => a.results);
      } catch (error) {
        // A running `wrangler dev` on the same local state holds SQLite's write lock while it writes, and this process
        // does not wait for it (no busy timeout): refused the lock, it wrote nothing (a file runs as one transaction).
        if (attempt >= BUSY_ATTEMPTS || !isBusy(error)) throw error;
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  };
  // Columns come back as JSON objects in select order; drizzle's proxy driver wants rows as arrays.
  const db = drizzle(async (text, params, method) => {
    const rows = (await wrangler(['--command', inline(text, params)])).map((row) => Object.values(row));
    return { rows: method === 'get' ? (rows[0] ?? []) : rows };
  }) as unknown as Db;
  return {
    db,
    async batch(statements: readonly Statement[]) {
      // One file, executed by D1 as one unit.
      const dir = mkdtempSync(join(tmpdir(), 'exigent-d1-'));
      try {
        const file = join(dir, 'batch.sql');
        writeFileSync(file, statements.map((s) => `${toSql(s)};\n`).join(''));
        await wrangler(['--file', file, '--yes']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    isUniqueViolation: (error, table) => String((error as Error)?.message).includes(`UNIQUE constraint failed: ${table}.`),
    isCheckViolation: (error, constraint) => String((error as Error)?.message).includes(`CHECK constraint failed: ${constraint}`),
    async ping() {
      return (await db.get<{ ok: number }>(sql`select 1 as ok`))?.ok === 1;
    },
  };
}

const BUSY_ATTEMPTS = 5;

function isBusy(error: unknown): boolean {
  const { message, stdout, stderr } = error as { message?: string; stdout?: string; stderr?: string };
  return /SQLITE_BUSY|database is locked/.test(`${message}${stdout}${stderr}`);
}

function toSql(statement: Statement): string {
  if ('kind' in statement && statement.kind === 'raw') return inline(statement.sql, statement.params);
  if ('prepared' in statement) throw new Error('prepared statements are not supported through wrangler');
  const query = (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
  return inline(query.sql, query.params);
}

/** `wrangler d1 execute` takes no parameters: values are written into the SQL as literals. */
function inline(text: string, params: readonly unknown[]): string {
  let i = 0;
  return text.replace(/\?/g, () => literal(params[i++]));
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as SQL`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex')}'`;
  return `'${String(value).replace(/'/g, "''")}'`;
}
