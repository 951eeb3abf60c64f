// The passkey's public key in its passkey.added leaf, and every signed justification re-verified from the log alone:
// by verify-log on an export (also one whose range starts after the passkeys were added, and from the CLI), by the
// re-verifier given tampered leaves (each failure named by the opening's index), and by the compliance case view,
// which trusts the logged key, not the database's copy.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../clients/cli/log/verifyExport';
import type { ExportLine } from '../../src/audit-log/exportLog';
import { fromBase64Url, toBase64Url } from '../../src/crypto/base64url';
import { justificationChallenge } from '../../src/urgent/justification';
import { verifyJustificationsInLog } from '../../src/urgent/verifyJustificationsInLog';
import { ApiClient } from '../support/apiClient';
import { enrolFirstAdmin, inviteCast, seedDirectory, type Person } from '../support/people';
import { startTestServer, TEST_ORIGIN, type TestServer } from '../support/testServer';
import { draftFor, openContact } from '../support/urgent';
import { SoftAuthenticator } from '../support/webauthn/softAuthenticator';

interface Entry {
  index: number;
  type: string;
  data: string;
}

let server: TestServer;
let admin: Person, anna: Person, piotr: Person, compliance: Person;
let laptop: SoftAuthenticator;
let logKey: string;
let entries: Entry[];
const contacts: Array<{ id: string; openedAt: number }> = [];

const sql = (statement: string, ...params: unknown[]) => server.services.database.sqlite.prepare(statement).run(...params);
const leaf = (e: { data: string }) => JSON.parse(e.data) as { type: string; subject: Record<string, string>; details: Record<string, any> };
const passkeyAdded = (credentialId: string) => entries.find((e) => e.type === 'passkey.added' && leaf(e).subject.credentialId === credentialId)!;
const opening = (index: number) => entries.find((e) => e.index === index)!;

async function exportText(query = '') {
  const res = await fetch(`${server.url}/api/v1/log/export${query}`, { headers: { cookie: `exigent_session=${admin.client.sessionCookie}` } });
  expect(res.status).toBe(200);
  return res.text();
}

beforeAll(async () => {
  server = await startTestServer();
  admin = await enrolFirstAdmin(server);
  ({ anna, piotr, compliance } = await inviteCast(admin, await seedDirectory(admin), 'anna', 'piotr', 'compliance'));

  // Anna opens one contact with her first passkey, adds a laptop passkey, opens another with it, then revokes it.
  const open = async (person: Person) => {
    const res = await openContact(person, draftFor(piotr));
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const first = await open(anna);
  laptop = new SoftAuthenticator({ origin: TEST_ORIGIN });
  const begin = await anna.client.post('/api/v1/me/passkeys/options');
  const added = await anna.client.post('/api/v1/me/passkeys', { challengeId: begin.body.challengeId, response: await laptop.createCredential(begin.body.options), name: 'Laptop' });
  expect(added.status, added.text).toBe(201);
  const second = await open({ ...anna, authenticator: laptop });
  expect((await anna.client.delete(`/api/v1/me/passkeys/${added.body.id}`)).status).toBe(204);

  const checkpoint = (await admin.client.post('/api/v1/log/checkpoint')).body;
  entries = (await admin.client.get(`/api/v1/log/entries?from=0&to=${checkpoint.size}`)).body;
  for (const id of [first, second]) contacts.push({ id, openedAt: entries.find((e) => e.type === 'urgent_contact.opened' && leaf(e).subject.urgentContactId === id)!.index });
  logKey = (await new ApiClient(server.url).get('/api/v1/log/key')).body.verifierKey;
});
afterAll(async () => server.stop());

describe('passkey.added leaves', () => {
  it("carry each passkey's COSE key, its algorithm, and the relying party it was registered for", async () => {
    const added = entries.filter((e) => e.type === 'passkey.added');
    expect(added).toHaveLength(5); // four enrolments and Anna's laptop
    for (const e of added) {
      const { subject, details } = leaf(e);
      const [row] = server.services.database.sqlite.prepare('select public_key from credentials where id = ?').all(subject.credentialId) as Array<{ public_key: Uint8Array }>;
      expect(details).toEqual({ credentialId: subject.credentialId, publicKey: toBase64Url(new Uint8Array(row!.public_key)), algorithm: -7, rpId: 'localhost', origin: TEST_ORIGIN });
    }
  });
});

describe('verify-log re-verifies every justification from the export alone', () => {
  it('passes a whole export, and counts the justifications', async () => {
    const verdict = await verifyExport(await exportText(), { logKey });
    expect(verdict).toMatchObject({ ok: true, failures: [], justificationsVerified: 2 });
  });

  it('passes an export that starts after the passkeys were added: it carries their entries, proven', async () => {
    const text = await exportText(`?from=${contacts[0]!.openedAt}`);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as ExportLine);
    const carried = lines.filter((l): l is Extract<ExportLine, { kind: 'passkey' }> => l.kind === 'passkey');
    // Anna's first passkey was added before the range; the laptop's entries are inside it.
    expect(carried.map((l) => l.index)).toEqual([passkeyAdded(anna.authenticator.credentialIds()[0]!).index]);
    expect(await verifyExport(text, { logKey })).toMatchObject({ ok: true, justificationsVerified: 2 });

    // Without them, the verifier cannot find the keys, and says where to look.
    const stripped = lines.filter((l) => l.kind !== 'passkey').map((l) => JSON.stringify(l)).join('\n');
    const verdict = await verifyExport(stripped, { logKey });
    expect(verdict.ok).toBe(false);
    expect(verdict.failures).toEqual([
      `entry ${contacts[0]!.openedAt}: justification not re-verified: credential ${anna.authenticator.credentialIds()[0]} has no passkey.added entry in the log (the export starts at log index ${contacts[0]!.openedAt}; was the passkey registered before it?)`,
    ]);
  });
});

describe('the re-verifier, given tampered leaves, names the opening and what failed', () => {
  const edit = (e: Entry, change: (l: ReturnType<typeof leaf>) => void): Entry => {
    const l = leaf(e);
    change(l);
    return { ...e, data: JSON.stringify(l) };
  };
  const verifyWith = (replace: (log: Entry[]) => Entry[]) => verifyJustificationsInLog(replace(entries.map((e) => ({ ...e }))));
  const annaFirst = () => passkeyAdded(anna.authenticator.credentialIds()[0]!);

  it('passes the untampered leaves', async () => {
    expect(await verifyWith((log) => log)).toEqual({ verified: 2, failures: [] });
  });

  it.each<[string, (log: Entry[]) => Entry[], RegExp]>([
    [
      'a flipped signature byte',
      (log) =>
        log.map((e) =>
          e.index !== contacts[0]!.openedAt
            ? e
            : edit(e, (l) => {
                const signature = fromBase64Url(l.details.assertion.signature);
                signature[signature.length - 1]! ^= 0x01;
                l.details.assertion.signature = toBase64Url(signature);
              }),
        ),
      /signature/i,
    ],
    [
      'an edited justification text',
      (log) => log.map((e) => (e.index !== contacts[0]!.openedAt ? e : edit(e, (l) => void (l.details.justification.caseReference = 'UA-2026-9999')))),
      /the justification text does not match its recorded hash/,
    ],
    [
      "another passkey's key in the passkey.added leaf",
      (log) => {
        const other = leaf(passkeyAdded(piotr.authenticator.credentialIds()[0]!)).details.publicKey as string;
        return log.map((e) => (e.index !== annaFirst().index ? e : edit(e, (l) => void (l.details.publicKey = other))));
      },
      /signature .*\(key of credential \S+ logged at index \d+\)/i,
    ],
    [
      "a passkey added for another user",
      (log) => log.map((e) => (e.index !== annaFirst().index ? e : edit(e, (l) => void (l.subject.userId = piotr.user.id)))),
      new RegExp(`was added for user ${'\\S+'} \\(log index \\d+\\), not for the requester ${'\\S+'}`),
    ],
    [
      'a passkey revoked before the opening',
      (log) => {
        const revoked = { index: contacts[0]!.openedAt - 0.5, type: 'passkey.revoked', data: JSON.stringify({ type: 'passkey.revoked', subject: leaf(annaFirst()).subject, details: {} }) };
        return [...log, revoked];
      },
      /was revoked at log index \S+, before this opening/,
    ],
    [
      'a passkey added only after the opening',
      (log) => log.map((e) => (e.index !== annaFirst().index ? e : { ...e, index: contacts[0]!.openedAt + 0.5 })),
      /was added at log index \S+, after this opening/,
    ],
    [
      'a passkey.added leaf from before keys were logged',
      (log) => log.map((e) => (e.index !== annaFirst().index ? e : edit(e, (l) => void (l.details = {})))),
      new RegExp(`^the passkey's key was registered before keys were logged \\(log index \\d+\\); re-verify needs the database$`),
    ],
  ])('%s', async (_name, tamper, problem) => {
    const verdict = await verifyWith(tamper);
    expect(verdict.verified).toBe(1);
    expect(verdict.failures).toEqual([{ index: contacts[0]!.openedAt, problem: expect.stringMatching(problem) }]);
  });

  it('accepts a passkey revoked only after the opening it signed', async () => {
    // The laptop signed the second contact and was revoked later: that opening stays verified (see above).
    const revocation = entries.find((e) => e.type === 'passkey.revoked')!;
    expect(revocation.index).toBeGreaterThan(contacts[1]!.openedAt);
    expect(leaf(opening(contacts[1]!.openedAt)).details.assertion.credentialId).toBe(leaf(revocation).subject.credentialId);
  });
});

describe('the case view verifies against the logged key', () => {
  const caseView = async (id: string) => {
    const res = await compliance.client.get(`/api/v1/compliance/contacts/${id}`);
    expect(res.status, res.text).toBe(200);
    return res.body.signature;
  };
  const row = (id: string) =>
    server.services.database.sqlite.prepare('select credential_public_key, authenticator_data, client_data_json, signature, justification from urgent_contacts where id = ?').get(id) as {
      credential_public_key: Uint8Array;
      authenticator_data: string;
      client_data_json: string;
      signature: string;
      justification: string;
    };
  const restore = (id: string, saved: ReturnType<typeof row>) =>
    sql('update urgent_contacts set credential_public_key = ?, authenticator_data = ?, client_data_json = ?, signature = ? where id = ?', saved.credential_public_key, saved.authenticator_data, saved.client_data_json, saved.signature, id);

  it('reports the logged key, with its log index, for an API client to re-verify', async () => {
    const { id } = contacts[0]!;
    const added = passkeyAdded(anna.authenticator.credentialIds()[0]!);
    expect(await caseView(id)).toEqual({ valid: true, credentialId: leaf(added).subject.credentialId, keySource: 'log', loggedKey: { ...leaf(added).details, logIndex: added.index } });
  });

  it("flags a swapped urgent_contacts.credential_public_key, and still verifies with the logged key", async () => {
    const { id } = contacts[0]!;
    const saved = row(id);
    const other = fromBase64Url(leaf(passkeyAdded(piotr.authenticator.credentialIds()[0]!)).details.publicKey);
    sql('update urgent_contacts set credential_public_key = ? where id = ?', Buffer.from(other), id);
    try {
      const signature = await caseView(id);
      expect(signature).toMatchObject({ valid: true, keySource: 'log' });
      expect(signature.keyProblem).toMatch(/the database's copy of the passkey's public key \(urgent_contacts\.credential_public_key\) differs from the key logged at index \d+/);
    } finally {
      restore(id, saved);
    }
  });

  it("refuses a signature forged with the attacker's own key written into the database", async () => {
    const { id } = contacts[0]!;
    const saved = row(id);
    // The attacker signs the very justification with a key of their own, and swaps key and assertion in the row.
    const attacker = new SoftAuthenticator({ origin: TEST_ORIGIN });
    await attacker.createCredential({ challenge: 'AAAA', rp: { name: 'x', id: 'localhost' }, user: { id: 'AAAA', name: 'x', displayName: 'x' }, pubKeyCredParams: [] });
    const forged = await attacker.getAssertion({ challenge: justificationChallenge(saved.justification), rpId: 'localhost' });
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', attacker.exportCredential(attacker.credentialIds()[0]!).publicKey));
    const coseKey = isoCBOR.encode(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, raw.slice(1, 33)], [-3, raw.slice(33, 65)]]) as never);
    sql(
      'update urgent_contacts set credential_public_key = ?, authenticator_data = ?, client_data_json = ?, signature = ? where id = ?',
      Buffer.from(coseKey),
      forged.response.authenticatorData,
      forged.response.clientDataJSON,
      forged.response.signature,
      id,
    );
    try {
      const signature = await caseView(id);
      expect(signature.valid).toBe(false);
      expect(signature.keyProblem).toMatch(/differs from the key logged/);
    } finally {
      restore(id, saved);
    }
  });

  it('says so, rather than vouching, when the passkey was registered before keys were logged', async () => {
    const { id } = contacts[0]!;
    const added = passkeyAdded(anna.authenticator.credentialIds()[0]!);
    // A database from before this change: the same leaf without its details.
    sql('update log_entries set data = ? where idx = ?', JSON.stringify({ ...leaf(added), details: {} }), added.index);
    try {
      const signature = await caseView(id);
      expect(signature).toMatchObject({ valid: true, keySource: 'database', loggedKey: null });
      expect(signature.keyProblem).toBe(
        `the passkey's key was registered before keys were logged (log index ${added.index}); re-verify needs the database; checked against the database's copy of the key, which the log does not vouch for`,
      );
    } finally {
      sql('update log_entries set data = ? where idx = ?', added.data, added.index);
    }
  });
});

describe('the verify-log command', () => {
  const run = promisify(execFile);
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'exigent-verify-log-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const verifyLog = (file: string) => run(process.execPath, ['--import', 'tsx', 'clients/cli/main.ts', 'verify-log', file, '--key', logKey], { cwd: process.cwd() });

  it('prints the re-verified justifications in its OK line, and each failure with its entry index', async () => {
    const good = join(dir, 'export.jsonl');
    const text = await exportText(`?from=${contacts[0]!.openedAt}`);
    writeFileSync(good, text);
    const ok = await verifyLog(good);
    expect(ok.stdout).toMatch(/^OK: \d+ entries proven in tree of size \d+; witnesses: none required; 2 justifications re-verified against passkey keys in the log\n$/);

    const bad = join(dir, 'without-passkeys.jsonl');
    writeFileSync(bad, text.split('\n').filter((l) => !l.includes('"kind":"passkey"')).join('\n'));
    await expect(verifyLog(bad)).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(new RegExp(`^FAIL entry ${contacts[0]!.openedAt}: justification not re-verified: credential \\S+ has no passkey.added entry in the log[^\\n]*\\n[^]*INVALID: 1 failure\\(s\\)\\n$`)),
    });
  }, 60_000);
});
