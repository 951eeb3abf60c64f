// README's accountability walkthrough, command by command: a compliance officer fetches the log's key and an export
// over HTTP, then proves one urgent contact's story offline with the CLI alone (no database, no server settings):
// the signed grounds, the investigator's passkey, each NCB's acknowledgement and the formal request's timeliness.
// An edited export is refused and its story is not told.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { startNodeHarness } from '../support/nodeHarness';
import { enrolFirstAdmin, inviteCast, seedDirectory, type Person } from '../support/people';
import { draftFor, openContact } from '../support/urgent';

const run = promisify(execFile);
let server: Harness;
let dir: string;
let compliance: Person;
let contactId: string;

/** The offline CLI, run with an environment that names no database or server: it must need neither. */
async function verifyLog(...args: string[]): Promise<{ code: number; stdout: string }> {
  const env = { PATH: process.env.PATH, HOME: dir, EXIGENT_DB: join(dir, 'must-not-be-created.db'), EXIGENT_LOG_KEY: join(dir, 'must-not-be-created.key') };
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'clients/cli/main.ts', 'verify-log', ...args], { env, cwd: process.cwd() });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'exigent-walkthrough-'));
  server = await startNodeHarness();
  const admin = await enrolFirstAdmin(server);
  const cast = await inviteCast(admin, await seedDirectory(admin), 'anna', 'piotr', 'ncbUa', 'compliance');
  const { anna, piotr, ncbUa } = cast;
  compliance = cast.compliance;

  const opened = await openContact(anna, draftFor(piotr, { grounds: ['threat_to_life', 'flight_risk'] }));
  expect(opened.status, opened.text).toBe(201);
  contactId = opened.body.id;
  const inbox = await ncbUa.client.get('/api/v1/ncb/notifications');
  expect((await ncbUa.client.post(`/api/v1/ncb/notifications/${inbox.body.notifications[0].id}/acknowledge`)).status).toBe(200);
  const formal = `/api/v1/formal-requests/${opened.body.formalRequestId}/transitions`;
  expect((await anna.client.post(formal, { to: 'drafted' })).status).toBe(200);
  expect((await anna.client.post(formal, { to: 'submitted', channel: 'central_authority', channelReference: 'MoJ-UA/2026/117' })).status).toBe(200);
  expect((await compliance.client.post('/api/v1/log/checkpoint')).status).toBe(200);
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("README's offline walkthrough of one urgent contact", () => {
  it('proves the signed grounds, the passkey, the NCB acknowledgement and a formal request filed in time', async () => {
    // 1. The log's verifier key, as `curl -H 'Accept: text/plain' …/api/v1/log/key` saves it.
    const key = await fetch(`${server.url}/api/v1/log/key`, { headers: { accept: 'text/plain' } });
    expect(key.headers.get('content-type')).toMatch(/^text\/plain/);
    const vkey = await key.text();
    expect(vkey).toMatch(/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+\n$/);
    writeFileSync(join(dir, 'log.vkey'), vkey);

    // 2. The export, from the contact's opening entry on (the passkey entry it needs comes with it).
    const timeline = await compliance.client.get(`/api/v1/compliance/contacts/${contactId}`);
    expect(timeline.status, timeline.text).toBe(200);
    const from = timeline.body.timeline[0].logIndex as number;
    const exported = await compliance.client.get(`/api/v1/log/export?from=${from}`);
    expect(exported.status).toBe(200);
    writeFileSync(join(dir, 'export.jsonl'), exported.text);

    // 3. Offline: the proofs, the passkey signature against the key in the log, and the story.
    const verified = await verifyLog(join(dir, 'export.jsonl'), '--key', join(dir, 'log.vkey'), '--contact', contactId);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/^OK: \d+ entries proven in tree of size \d+; witnesses: none required; 1 justifications re-verified against passkey keys in the log$/m);
    expect(verified.stdout).toContain(`urgent contact ${contactId} (case UA-2026-0042), UA → PL`);
    expect(verified.stdout).toMatch(/opened \S+ by Anna \(National Police of Ukraine, user \S+\) \[log \d+\]/);
    expect(verified.stdout).toContain('grounds signed: flight_risk, threat_to_life');
    expect(verified.stdout).toMatch(/NCB \S+ \(requesting\) notified \S+ \[log \d+\]; acknowledged \S+ by user \S+, \d+ s later \[log \d+\]/);
    expect(verified.stdout).toMatch(/NCB \S+ \(requested\) notified \S+ \[log \d+\]; NOT acknowledged in this export/);
    expect(verified.stdout).toMatch(/formal request submitted in time: deadline \S+, declared submitted \S+, recorded \S+ \[log \d+\]/);
    // The key was given as a file: the CLI wrote nothing of its own.
    expect(verified.stdout).not.toContain('must-not-be-created');
  });

  it('refuses an export whose acknowledgement was edited, and tells no story from it', async () => {
    const exported = await compliance.client.get('/api/v1/log/export?from=0');
    // Move the acknowledgement two years earlier: the leaf no longer hashes into the signed tree.
    const edited = exported.text
      .split('\n')
      .map((line) => {
        if (!line.includes('ncb.acknowledged')) return line;
        const parsed = JSON.parse(line) as { data: string };
        const leaf = JSON.parse(parsed.data) as { at: string };
        leaf.at = leaf.at.replace(/^\d{4}/, (year) => String(Number(year) - 2));
        return JSON.stringify({ ...parsed, data: JSON.stringify(leaf) });
      })
      .join('\n');
    expect(edited).not.toBe(exported.text);
    writeFileSync(join(dir, 'edited.jsonl'), edited);
    const refused = await verifyLog(join(dir, 'edited.jsonl'), '--key', join(dir, 'log.vkey'), '--contact', contactId);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAIL entry \d+: inclusion proof does not verify against the checkpoint$/m);
    expect(refused.stdout).toContain(`urgent contact ${contactId}: not shown, the export did not verify`);
  });

  it('names a contact the export does not hold, and a key argument that is neither key nor file', async () => {
    const missing = await verifyLog(join(dir, 'export.jsonl'), '--key', join(dir, 'log.vkey'), '--contact', 'no-such-contact');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('urgent contact no-such-contact: no opening entry in this export');
    const badKey = await verifyLog(join(dir, 'export.jsonl'), '--key', 'not-a-key');
    expect(badKey.code).not.toBe(0);
  });
});
