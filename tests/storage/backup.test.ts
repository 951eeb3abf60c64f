// Backups taken while the server is busy opening urgent contacts and relaying messages are consistent snapshots
// whose log passes the self-check; restores are verified, atomic, and refuse to clobber a database in use.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Messenger } from '../../clients/sdk/messenger';
import { selfCheckLog } from '../../src/audit-log/selfCheck';
import { loadConfig } from '../../src/config/loadConfig';
import { openNodeServices } from '../../src/runtime/node/openServices';
import { backupDatabase, restoreDatabase } from '../../src/storage/backup';
import { newDevice } from '../support/devices';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';
import { startTestServer, TEST_ORIGIN, type TestServer } from '../support/testServer';
import { draftFor, openContact } from '../support/urgent';

let server: TestServer;
let anna: Person; // investigator, Ukraine
let piotr: Person; // investigator, Poland
let annaDesk: Messenger;
let conversationId: string;
// Backups go to their own directory, so the log key's default path (next to the database) would be wrong there.
let dir: string;

beforeAll(async () => {
  server = await startTestServer({ env: { EXIGENT_SEND_RATE_PER_MINUTE: '100000' } });
  dir = mkdtempSync(join(tmpdir(), 'exigent-backup-'));
  const admin = await enrolFirstAdmin(server);
  const { agencies } = await seedDirectory(admin);
  anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
  piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
  const first = await openContact(anna, draftFor(piotr));
  expect(first.status, first.text).toBe(201);
  conversationId = first.body.conversationId;
  annaDesk = await newDevice(anna, 'Anna desk');
  await newDevice(piotr, 'Piotr desk');
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a database file the way the CLI's self-check must: with the live server's log key, not the default path. */
function openCopy(file: string) {
  const config = loadConfig({ EXIGENT_ORIGIN: TEST_ORIGIN, EXIGENT_DB: file, EXIGENT_LOG_KEY: server.services.config.logKeyPath });
  return openNodeServices(config, { logger: pino({ level: 'silent' }) });
}

/** Every urgent contact with what its atomic write must have produced alongside it. */
function contactsIn(services: Awaited<ReturnType<typeof openCopy>>) {
  return services.database.sqlite
    .prepare(
      `select c.id,
         (select count(*) from ncb_notifications n where n.contact_id = c.id) as notifications,
         (select count(*) from formal_requests f where f.contact_id = c.id) as formalRequests,
         (select count(*) from log_entries e where e.type = 'urgent_contact.opened' and json_extract(e.data, '$.subject.urgentContactId') = c.id) as logEntries
       from urgent_contacts c order by c.id`,
    )
    .all() as Array<{ id: string; notifications: number; formalRequests: number; logEntries: number }>;
}

function messagesWithoutAllDeliveries(services: Awaited<ReturnType<typeof openCopy>>): number {
  return services.database.sqlite
    .prepare('select count(*) from messages m where m.recipient_count != (select count(*) from deliveries d where d.message_id = m.id)')
    .pluck()
    .get() as number;
}

describe('backupDatabase under load', () => {
  const file = () => join(dir, 'under-load.db');

  it('copies a consistent snapshot while contacts are opened and messages sent, and the copy passes the self-check', async () => {
    const live = server.services.database.sqlite;
    const contactCount = () => live.prepare('select count(*) from urgent_contacts').pluck().get() as number;
    let loading = true;
    const opening = async (investigator: Person, counterpart: Person) => {
      while (loading) {
        const res = await openContact(investigator, draftFor(counterpart));
        expect(res.status, res.text).toBe(201);
      }
    };
    const chatting = async () => {
      for (let n = 0; loading; n++) await annaDesk.sendText(conversationId, `update ${n}`);
    };
    const load = [opening(anna, piotr), opening(piotr, anna), chatting()];
    while (contactCount() < 3) await new Promise((r) => setTimeout(r, 5));

    // Copy half the pages, then hold the copy open until three more contacts have been committed to the source.
    let contactsAtStart: number | undefined;
    const copied = await backupDatabase(live, file(), ({ totalPages, remainingPages }) => {
      contactsAtStart ??= contactCount();
      return remainingPages <= totalPages / 2 && contactCount() < contactsAtStart + 3 ? 0 : 4;
    });
    loading = false;
    await Promise.all(load);
    expect(copied.pages).toBeGreaterThan(50);
    expect(copied.bytes).toBe(copied.pages * (live.pragma('page_size', { simple: true }) as number));

    const backup = await openCopy(file());
    try {
      const report = await selfCheckLog(backup, backup.logSigner);
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ ok: true });
      expect(report.checkpointsChecked).toBeGreaterThan(0);
      const contacts = contactsIn(backup);
      // Writes through the server's own connection while the copy ran are mirrored into it.
      expect(contacts.length).toBeGreaterThanOrEqual(contactsAtStart! + 3);
      // No half-written contact: each has both NCB notifications, its formal request and its log entry.
      for (const contact of contacts) expect(contact).toEqual({ id: contact.id, notifications: 2, formalRequests: 1, logEntries: 1 });
      expect(messagesWithoutAllDeliveries(backup)).toBe(0);
    } finally {
      backup.database.close();
    }
  });

  it('refuses to overwrite an existing file', async () => {
    await expect(backupDatabase(server.services.database.sqlite, file())).rejects.toThrow(/already exists; refusing to overwrite/);
  });

  it('restores into a fresh path: same contacts, log intact, no side files left behind', async () => {
    const target = join(dir, 'restored', 'exigent.db');
    restoreDatabase(file(), target);
    expect(existsSync(`${target}-wal`) || existsSync(`${target}-shm`)).toBe(false);
    const [restored, backup] = [await openCopy(target), await openCopy(file())];
    try {
      expect((await selfCheckLog(restored, restored.logSigner)).ok).toBe(true);
      expect(contactsIn(restored)).toEqual(contactsIn(backup));
    } finally {
      restored.database.close();
      backup.database.close();
    }
  });

  it('refuses to restore over the database the running server holds, and refuses a file that is not a database', () => {
    expect(() => restoreDatabase(file(), server.services.config.dbPath)).toThrow(/in use \(is the server running\?\)/);
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'not a database, just a file with the right name '.repeat(200));
    const target = join(dir, 'from-garbage', 'exigent.db');
    expect(() => restoreDatabase(garbage, target)).toThrow(/is not a usable SQLite database/);
    expect(existsSync(target)).toBe(false);
  });
});

describe('backup and restore commands', () => {
  const run = promisify(execFile);
  const exigent = (env: Record<string, string>, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'clients/cli/main.ts', ...args], { env: { ...process.env, EXIGENT_ORIGIN: TEST_ORIGIN, ...env }, cwd: process.cwd() });
  // The CLI in another process, pointed at the running server's database: its default log key is the server's.
  const liveEnv = () => ({ EXIGENT_DB: server.services.config.dbPath });
  const restoredEnv = () => ({ EXIGENT_DB: join(dir, 'cli-restored', 'exigent.db'), EXIGENT_LOG_KEY: server.services.config.logKeyPath });
  const file = () => join(dir, 'cli', 'backup.db');

  it('backs up the live database from another process, then restores it, self-checking both', async () => {
    const backup = await exigent(liveEnv(), 'backup', file());
    expect(backup.stdout).toMatch(/^backup OK: \d+ pages \(\d+ bytes\) copied to .*backup\.db in \d+ ms$/m);
    expect(backup.stdout).toMatch(/^log OK: \d+ entries and \d+ checkpoints match the signed roots$/m);

    const [again, restore] = await Promise.allSettled([exigent(liveEnv(), 'backup', file()), exigent(restoredEnv(), 'restore', file())]);
    expect(again).toMatchObject({ status: 'rejected', reason: { code: 64, stderr: expect.stringMatching(/already exists; refusing to overwrite/) } });
    expect(restore).toMatchObject({ status: 'fulfilled', value: { stdout: expect.stringMatching(/^restore OK: [\s\S]*^log OK: /m) } });
  });

  it('refuses to replace an existing database without --force, and one the server holds even with it', async () => {
    const [noForce, inUse] = await Promise.allSettled([exigent(restoredEnv(), 'restore', file()), exigent(liveEnv(), 'restore', file(), '--force')]);
    expect(noForce).toMatchObject({ status: 'rejected', reason: { code: 64, stderr: expect.stringMatching(/exists; restoring discards everything in it: stop the server and pass --force/) } });
    expect(inUse).toMatchObject({ status: 'rejected', reason: { code: 64, stderr: expect.stringMatching(/is in use \(is the server running\?\)/) } });
  });
});
