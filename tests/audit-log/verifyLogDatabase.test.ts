// `verify-log --db` tells a configuration mistake from tampering: run without the server's EXIGENT_ORIGIN (so the CLI
// derives another log origin) it names the setting and exits 78, not TAMPERED; without the log key file it refuses
// and creates none. With the right settings an untampered database is OK, and an edited grounds column is named.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCheckpoint } from '../../src/audit-log/checkpoints';
import { enrolWithLink, invite, seedDirectory } from '../support/people';
import { freePort, startTestServer } from '../support/testServer';
import { draftFor, openContact } from '../support/urgent';

const run = promisify(execFile);
let dir: string;
let origin: string;
let contactId: string;

/** The CLI with only the settings given (none inherited from the test run's environment). */
async function verifyLogDb(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', EXIGENT_DB: join(dir, 'exigent.db') };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'clients/cli/main.ts', 'verify-log', '--db'], { env: { ...base, ...env }, cwd: process.cwd() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'exigent-verify-db-'));
  const port = await freePort();
  origin = `http://localhost:${port}`;
  // The server runs with its own origin, as in production; the CLI's default would be http://localhost:8787.
  const server = await startTestServer({ dir, port });
  try {
    const admin = await enrolWithLink(server.url, server.firstAdminUrl!, { email: 'admin@exigent.test', displayName: 'First Admin' }, origin);
    const { agencies } = await seedDirectory(admin);
    const anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
    const piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
    const opened = await openContact(anna, draftFor(piotr, { grounds: ['threat_to_life'] }));
    expect(opened.status, opened.text).toBe(201);
    contactId = opened.body.id;
    await issueCheckpoint(server.services);
  } finally {
    await server.stop();
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verify-log --db and the configuration', { timeout: 60_000 }, () => {
  it('with the server origin, an untampered database is OK', async () => {
    const result = await verifyLogDb({ EXIGENT_ORIGIN: origin });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^OK: \d+ entries and \d+ checkpoints match the signed roots/m);
  });

  it('without EXIGENT_ORIGIN, says CONFIGURATION, names the setting and exits 78', async () => {
    const result = await verifyLogDb({});
    expect(result.stdout).not.toMatch(/TAMPERED|FAIL/);
    expect(result.stdout).toContain(
      `CONFIGURATION: the checkpoints in this database are signed by log "localhost:${origin.split(':').pop()}/exigent-log" but this CLI is configured as "localhost:8787/exigent-log": set EXIGENT_ORIGIN (or EXIGENT_LOG_ORIGIN) to the server's value`,
    );
    expect(result.code).toBe(78);
  });

  it('with a wrong EXIGENT_ORIGIN or EXIGENT_LOG_ORIGIN, the same', async () => {
    const wrongOrigin = await verifyLogDb({ EXIGENT_ORIGIN: 'https://exigent.example.org' });
    expect(wrongOrigin.stdout).toContain('but this CLI is configured as "exigent.example.org/exigent-log": set EXIGENT_ORIGIN (or EXIGENT_LOG_ORIGIN)');
    expect(wrongOrigin.code).toBe(78);
    const wrongLogOrigin = await verifyLogDb({ EXIGENT_ORIGIN: origin, EXIGENT_LOG_ORIGIN: 'other.example/log' });
    expect(wrongLogOrigin.stdout).toContain('configured as "other.example/log"');
    expect(wrongLogOrigin.code).toBe(78);
  });

  it('without the log key file, refuses with the setting named and creates no key', async () => {
    const missing = join(dir, 'elsewhere', 'log-signing.key');
    const result = await verifyLogDb({ EXIGENT_ORIGIN: origin, EXIGENT_LOG_KEY: missing });
    expect(result.stdout + result.stderr).toContain(`CONFIGURATION: no log signing key at ${missing}: set EXIGENT_LOG_KEY to the server's key file`);
    expect(result.stdout).not.toMatch(/TAMPERED|OK:/);
    expect(result.code).toBe(78);
    expect(existsSync(missing)).toBe(false);
  });

  it('an edited grounds column is TAMPERED, naming the contact and the log index', async () => {
    const db = new BetterSqlite3(join(dir, 'exigent.db'));
    const { idx } = db.prepare(`select idx from log_entries where type = 'urgent_contact.opened' and json_extract(data, '$.subject.urgentContactId') = ?`).get(contactId) as { idx: number };
    db.prepare(`update urgent_contacts set grounds = '["flight_risk"]' where id = ?`).run(contactId);
    db.close();
    const result = await verifyLogDb({ EXIGENT_ORIGIN: origin });
    expect(result.stdout).toContain(`FAIL urgent contact ${contactId}: grounds in the database (flight_risk) differ from the signed justification at log index ${idx} (threat_to_life)`);
    expect(result.stdout).toMatch(/^TAMPERED: 1 problem\(s\) found/m);
    expect(result.code).toBe(1);
  });
});
