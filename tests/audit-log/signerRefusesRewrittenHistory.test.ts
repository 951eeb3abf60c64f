// The signer keeps its own record of the last tree it signed, beside its key, and refuses to sign a database tree
// that is not a consistent extension of it: someone who can write the database but not read the key gets no
// rewritten history signed, however perfectly the forged tree's nodes are recomputed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueCheckpoint } from '../../src/audit-log/checkpoints';
import { appendLeaves, leafHash } from '../../src/audit-log/tlog';
import { enrolFirstAdmin, invite, seedDirectory, type Directory, type Person } from '../support/people';
import { withServices } from '../../clients/cli/commands/command';
import { startTestServer, TEST_ORIGIN, type TestServer } from '../support/testServer';

let dir: string;
let server: TestServer;
let admin: Person;
let directory: Directory;

const recordPath = () => join(dir, 'log-signing.key.head');
const record = () => JSON.parse(readFileSync(recordPath(), 'utf8')) as { size: number; rootHash: string; note: string };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'exigent-signer-'));
  server = await startTestServer({ dir });
  admin = await enrolFirstAdmin(server);
  directory = await seedDirectory(admin);
});
afterEach(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const db = () => server.services.database.sqlite;
const checkpointNow = () => admin.client.post('/api/v1/log/checkpoint');
const investigator = (n: number) => invite(admin, { email: `i${n}@police.ua`, displayName: `Investigator ${n}`, role: 'investigator', agencyId: directory.agencies.policeA });
const errorLines = () => server.logLines.map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } }).filter((l) => l.level >= 50);

/** What someone with write access to the database but not the key can do: any tree of entries, every node recomputed. */
function rebuildTree(entries: string[]) {
  const rebuilt = appendLeaves([], 0, entries.map((data) => leafHash(new TextEncoder().encode(data))));
  db().prepare('delete from log_nodes').run();
  const insert = db().prepare('insert into log_nodes (level, idx, hash) values (?, ?, ?)');
  for (const n of rebuilt.newNodes) insert.run(n.level, n.index, Buffer.from(n.hash));
}
const storedEntries = () => (db().prepare('select data from log_entries order by idx').all() as Array<{ data: string }>).map((e) => e.data);

function forgeEntryZero() {
  db().prepare(`update log_entries set data = replace(data, 'first-admin-link', 'forged-link') where idx = 0`).run();
  rebuildTree(storedEntries());
}

async function expectRefusal(pattern: RegExp) {
  const res = await checkpointNow();
  expect(res.status, res.text).toBe(500);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.detail).toMatch(pattern);
  return res;
}

describe("the signer's record", () => {
  it('advances with every honest checkpoint, in a 0600 file beside the key', async () => {
    const first = await checkpointNow();
    expect(first.status, first.text).toBe(200);
    expect(record()).toMatchObject({ size: first.body.size, rootHash: first.body.rootHash, note: first.body.note });
    expect(statSync(recordPath()).mode & 0o777).toBe(0o600);

    await investigator(1);
    const second = await checkpointNow();
    expect(second.status, second.text).toBe(200);
    expect(second.body.size).toBeGreaterThan(first.body.size);
    expect(record()).toMatchObject({ size: second.body.size, rootHash: second.body.rootHash });
  });

  it('refuses a perfectly forged history: a rewritten past entry with every node recomputed', async () => {
    const honest = (await checkpointNow()).body;
    const before = readFileSync(recordPath(), 'utf8');
    await investigator(1);
    forgeEntryZero();

    const res = await expectRefusal(new RegExp(`not a consistent extension of the signed tree of size ${honest.size}`));
    expect(res.body.detail).toContain(honest.rootHash);
    // Nothing new was signed: the record and the served checkpoint are still the honest ones.
    expect(readFileSync(recordPath(), 'utf8')).toBe(before);
    expect((await admin.client.request('GET', '/api/v1/log/checkpoint', undefined, { headers: { accept: 'application/json' } })).body).toMatchObject({ size: honest.size, rootHash: honest.rootHash });
    expect(errorLines().map((l) => `${l.msg} ${l.err?.message}`).join('\n')).toMatch(/not a consistent extension/);
  });

  it('refuses a truncated log', async () => {
    await investigator(1);
    const honest = (await checkpointNow()).body;
    const keep = honest.size - 2;
    db().prepare('delete from log_entries where idx >= ?').run(keep);
    rebuildTree(storedEntries());
    await expectRefusal(new RegExp(`holds ${keep} entries, fewer than the ${honest.size} already signed`));
    expect(record().size).toBe(honest.size);
  });

  it('refuses the same size with a different root', async () => {
    const honest = (await checkpointNow()).body;
    forgeEntryZero();
    await expectRefusal(new RegExp(`size ${honest.size} has root .* but the signed tree of that size has root ${honest.rootHash.replace(/[+/]/g, '\\$&')}`));
    expect(record().rootHash).toBe(honest.rootHash);
  });

  it('survives a restart: a forgery made while the server was down is refused by the new process', async () => {
    const honest = (await checkpointNow()).body;
    await server.stop();
    server = await startTestServer({ dir });
    expect(record()).toMatchObject({ size: honest.size, rootHash: honest.rootHash });
    forgeEntryZero();
    // The new server listens on another port: ask its services directly.
    await expect(issueCheckpoint(server.services)).rejects.toThrow(/but the signed tree of that size has root/);
    expect(record()).toMatchObject({ size: honest.size, rootHash: honest.rootHash });
  });

  it('is initialised from the newest verified checkpoint when an existing database has none (an upgrade), with a warning', async () => {
    const honest = (await checkpointNow()).body;
    await server.stop();
    unlinkSync(recordPath());
    server = await startTestServer({ dir });
    const warnings = server.logLines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warnings.map((w) => w.msg).join('\n')).toMatch(/signer's record initialised from the database's checkpoint/);
    expect(existsSync(recordPath())).toBe(true);
    expect(record()).toMatchObject({ size: honest.size, rootHash: honest.rootHash });
  });

  it('is shared with the operator CLI (another process on the same key): one signer at a time, one record', async () => {
    await investigator(1);
    const env = { EXIGENT_DB: join(dir, 'exigent.db'), EXIGENT_LOG_KEY: server.services.config.logKeyPath, EXIGENT_ORIGIN: TEST_ORIGIN };
    // Two issuers with their own in-process queues: only the lock file beside the record keeps them apart.
    const [fromServer, fromCli] = await withServices(env, (cli) => Promise.all([issueCheckpoint(server.services), issueCheckpoint(cli)]));
    expect(fromCli).toMatchObject({ size: fromServer.size, note: fromServer.note });
    expect(record().size).toBe(fromServer.size);
    expect(existsSync(`${recordPath()}.lock`)).toBe(false);
    forgeEntryZero();
    await expect(withServices(env, (cli) => issueCheckpoint(cli))).rejects.toThrow(/but the signed tree of that size has root/);
  });

  it('takes over a lock left by a signer that died', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(`${recordPath()}.lock`, `${dead}\n`);
    await investigator(1);
    const res = await checkpointNow();
    expect(res.status, res.text).toBe(200);
    expect(record().size).toBe(res.body.size);
  });
});
