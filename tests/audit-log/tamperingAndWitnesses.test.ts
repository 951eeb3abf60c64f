// Tampering with the log tables is caught by the self-check and the offline verifier; witnesses refuse forks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueCheckpoint } from '../../src/audit-log/checkpoints';
import { selfCheckLog } from '../../src/audit-log/selfCheck';
import { appendLeaves, formatCheckpoint, leafHash, rootFromFrontier, signNote, witnessVerifierKey, type NoteSigner } from '../../src/audit-log/tlog';
import { verifyExport } from '../../clients/cli/log/verifyExport';
import { witnessOnce, type WitnessState } from '../../clients/cli/log/witnessOnce';
import { ApiClient } from '../support/apiClient';
import { enrolFirstAdmin, invite, seedDirectory, type Directory, type Person } from '../support/people';
import { startTestServer, TEST_ORIGIN, type TestServer } from '../support/testServer';

let server: TestServer;
let admin: Person;
let directory: Directory;

beforeEach(async () => {
  server = await startTestServer();
  admin = await enrolFirstAdmin(server);
  directory = await seedDirectory(admin);
  for (let i = 0; i < 3; i++) {
    await invite(admin, { email: `i${i}@police.ua`, displayName: `Investigator ${i}`, role: 'investigator', agencyId: directory.agencies.policeA });
  }
  await issueCheckpoint(server.services);
});
afterEach(async () => server.stop());

const sql = (statement: string, ...params: unknown[]) => server.services.database.sqlite.prepare(statement).run(...params);
const selfCheck = () => selfCheckLog(server.services, server.services.logSigner);

async function exportAndVerify() {
  const logKey = (await new ApiClient(server.url).get('/api/v1/log/key')).body.verifierKey;
  const res = await fetch(`${server.url}/api/v1/log/export`, { headers: { cookie: `exigent_session=${admin.client.sessionCookie}` } });
  return verifyExport(await res.text(), { logKey });
}

describe('tampering with single rows', () => {
  it('starts clean', async () => {
    const report = await selfCheck();
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.size).toBeGreaterThan(5);
    expect((await exportAndVerify()).ok).toBe(true);
  });

  it('catches an edited entry', async () => {
    sql(`update log_entries set data = replace(data, '"role":"investigator"', '"role":"admin"') where idx = 4`);
    expect((await selfCheck()).problems.join('\n')).toMatch(/stored node 0\/4 does not match|do not reproduce its signed root/);
    const verdict = await exportAndVerify();
    expect(verdict.ok).toBe(false);
    expect(verdict.failures.join('\n')).toMatch(/entry 4: inclusion proof does not verify/);
  });

  it('catches a deleted entry', async () => {
    sql('delete from log_entries where idx = 2');
    expect((await selfCheck()).problems.join('\n')).toMatch(/entry index 2 is missing/);
    expect((await exportAndVerify()).failures.join('\n')).toMatch(/entry 2 is missing/);
  });

  it('catches reordered entries', async () => {
    const rows = server.services.database.sqlite.prepare('select idx, data from log_entries where idx in (1, 3) order by idx').all() as Array<{ idx: number; data: string }>;
    sql('update log_entries set data = ? where idx = 1', rows[1]!.data);
    sql('update log_entries set data = ? where idx = 3', rows[0]!.data);
    expect((await selfCheck()).ok).toBe(false);
    const verdict = await exportAndVerify();
    expect(verdict.failures.join('\n')).toMatch(/entry 1: inclusion proof/);
    expect(verdict.failures.join('\n')).toMatch(/entry 3: inclusion proof/);
  });

  it('catches an inserted entry, which can never be proven against a signed checkpoint', async () => {
    const size = (await selfCheck()).size;
    sql("insert into log_entries (idx, type, data, countries, created_at) values (?, 'user.enrolled', '{\"forged\":true}', ',,', 0)", size);
    expect((await selfCheck()).problems.join('\n')).toMatch(/level 0 holds/);
    // The log's writer never signs it: it refuses to checkpoint a tree whose nodes do not account for every entry,
    // so the latest signed checkpoint still covers only the genuine entries.
    await expect(issueCheckpoint(server.services)).rejects.toThrow(/log_nodes is missing/);
    expect((await admin.client.get('/api/v1/log/checkpoint')).text).toContain(`\n${size}\n`);
    expect((await admin.client.get(`/api/v1/log/entries/${size}`)).status).toBe(422);
  });

  it('catches an edited tree node', async () => {
    sql('update log_nodes set hash = zeroblob(32) where level = 1 and idx = 0');
    expect((await selfCheck()).problems.join('\n')).toMatch(/stored node 1\/0 does not match/);
  });

  it('catches a rewritten checkpoint note', async () => {
    sql("update log_checkpoints set note = replace(note, char(10) || char(10), char(10) || 'x' || char(10) || char(10))");
    expect((await selfCheck()).problems.join('\n')).toMatch(/checkpoint \d+: /);
  });
});

async function newWitness(name: string): Promise<NoteSigner> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { name, privateKey: pair.privateKey, publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
}

describe('witnesses', () => {
  it('cosign consistent checkpoints, and the verifier can demand k of n', async () => {
    const logKey = (await new ApiClient(server.url).get('/api/v1/log/key')).body.verifierKey;
    const ua = await newWitness('ncb.ua/witness');
    const pl = await newWitness('ncb.pl/witness');
    for (const w of [ua, pl]) {
      const res = await admin.client.post('/api/v1/log/witnesses', { verifierKey: witnessVerifierKey(w.name, w.publicKey) });
      expect(res.status, res.text).toBe(201);
    }
    let uaState: WitnessState | undefined;
    let round = await witnessOnce({ url: server.url, origin: TEST_ORIGIN, logKey, witness: ua, state: uaState });
    expect(round.outcome).toBe('cosigned');
    uaState = round.state;

    await invite(admin, { email: 'more@police.ua', displayName: 'More', role: 'investigator', agencyId: directory.agencies.policeA });
    await issueCheckpoint(server.services);
    round = await witnessOnce({ url: server.url, origin: TEST_ORIGIN, logKey, witness: ua, state: uaState });
    expect(round.outcome).toBe('cosigned');
    expect(round.state!.size).toBeGreaterThan(uaState!.size);
    await witnessOnce({ url: server.url, origin: TEST_ORIGIN, logKey, witness: pl, state: undefined });

    const note = await (await fetch(`${server.url}/api/v1/log/checkpoint`)).text();
    expect(note).toContain('— ncb.ua/witness ');
    expect(note).toContain('— ncb.pl/witness ');

    const res = await fetch(`${server.url}/api/v1/log/export`, { headers: { cookie: `exigent_session=${admin.client.sessionCookie}` } });
    const jsonl = await res.text();
    const witnessKeys = [ua, pl].map((w) => witnessVerifierKey(w.name, w.publicKey));
    expect(await verifyExport(jsonl, { logKey, witnessKeys, witnessesRequired: 2 })).toMatchObject({ ok: true, witnessesVerified: ['ncb.ua/witness', 'ncb.pl/witness'] });
    const absent = await newWitness('compliance/witness');
    const strict = await verifyExport(jsonl, { logKey, witnessKeys: [...witnessKeys, witnessVerifierKey(absent.name, absent.publicKey)], witnessesRequired: 3 });
    expect(strict.ok).toBe(false);
    expect(strict.failures).toContain('only 2 of the required 3 witness cosignatures verify');
  });

  it('refuses to cosign a forked log', async () => {
    const logKey = (await new ApiClient(server.url).get('/api/v1/log/key')).body.verifierKey;
    const witness = await newWitness('ncb.ua/witness');
    await admin.client.post('/api/v1/log/witnesses', { verifierKey: witnessVerifierKey(witness.name, witness.publicKey) });
    const first = await witnessOnce({ url: server.url, origin: TEST_ORIGIN, logKey, witness, state: undefined });
    expect(first.outcome).toBe('cosigned');

    // A malicious operator with the signing key rewrites history: edits entry 0, rebuilds every node, appends, and
    // signs a new checkpoint with the key itself (the server's signer would refuse: signerRefusesRewrittenHistory.test.ts).
    await invite(admin, { email: 'late@police.ua', displayName: 'Late', role: 'investigator', agencyId: directory.agencies.policeA });
    const db = server.services.database.sqlite;
    db.prepare(`update log_entries set data = replace(data, 'first-admin-link', 'forged-link') where idx = 0`).run();
    const entries = db.prepare('select data from log_entries order by idx').all() as Array<{ data: string }>;
    const rebuilt = appendLeaves([], 0, entries.map((e) => leafHash(new TextEncoder().encode(e.data))));
    db.prepare('delete from log_nodes').run();
    const insert = db.prepare('insert into log_nodes (level, idx, hash) values (?, ?, ?)');
    for (const n of rebuilt.newNodes) insert.run(n.level, n.index, Buffer.from(n.hash));
    await expect(issueCheckpoint(server.services)).rejects.toThrow(/not a consistent extension/);
    const { logSigner } = server.services;
    const forgedRoot = rootFromFrontier(rebuilt.frontier)!;
    const note = await signNote(formatCheckpoint({ origin: logSigner.name, size: entries.length, rootHash: forgedRoot }), logSigner);
    db.prepare('insert into log_checkpoints (size, root_hash, note, created_at) values (?, ?, ?, ?)').run(entries.length, Buffer.from(forgedRoot), note, Date.now());

    const second = await witnessOnce({ url: server.url, origin: TEST_ORIGIN, logKey, witness, state: first.state });
    expect(second.outcome).toBe('refused');
    expect(second.detail).toMatch(/fork: checkpoint \d+ is not consistent with the cosigned checkpoint/);
    expect(second.state).toEqual(first.state);
  });

  it('refuses cosignatures from unknown witnesses or over other content', async () => {
    const stranger = await newWitness('stranger/witness');
    const { cosignCheckpoint } = await import('../../src/audit-log/tlog');
    const checkpoint = await issueCheckpoint(server.services);
    const body = checkpoint.note.slice(0, checkpoint.note.indexOf('\n\n') + 1);
    const line = await cosignCheckpoint(body, stranger, 1);
    const client = new ApiClient(server.url);
    expect((await client.post('/api/v1/log/cosignatures', { checkpointSize: checkpoint.size, signatureLine: line })).status).toBe(404);
    await admin.client.post('/api/v1/log/witnesses', { verifierKey: witnessVerifierKey(stranger.name, stranger.publicKey) });
    const wrongBody = await cosignCheckpoint(body.replace(/\n\d+\n/, '\n1\n'), stranger, 1);
    const res = await client.post('/api/v1/log/cosignatures', { checkpointSize: checkpoint.size, signatureLine: wrongBody });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/does not verify/);
  });
});
