// On Workers the signer's record lives in the LogSequencer object's storage, and only that object signs: a tree
// forged in D1 (a rewritten entry with every node recomputed) is refused there, by an on-demand request and by the
// alarm alike, and the record stays the honest one.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendLeaves, leafHash } from '../../src/audit-log/tlog';
import { toBase64 } from '../../src/crypto/base64url';
import type { Env } from '../../src/runtime/worker/env';
import { LOG_SEQUENCER_NAME } from '../../src/runtime/worker/remoteLogWriter';
import type { Harness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Directory, type Person } from '../support/people';
import { startWorkerHarness } from './workerHarness';

const bindings = env as unknown as Env;
const sequencer = () => bindings.LOG.get(bindings.LOG.idFromName(LOG_SEQUENCER_NAME));

let server: Harness;
let admin: Person;
let directory: Directory;

beforeAll(async () => {
  server = await startWorkerHarness();
  admin = await enrolFirstAdmin(server);
  directory = await seedDirectory(admin);
});

/** Everything the LogSequencer keeps in its own storage (the signer's record among it). */
async function sequencerStorage(): Promise<Map<string, unknown>> {
  return runInDurableObject(sequencer(), async (_instance, state) => state.storage.list());
}

async function storedRecord() {
  const records = [...(await sequencerStorage()).values()].filter((v): v is { size: number; rootHash: Uint8Array; note: string } => !!v && typeof v === 'object' && 'note' in v);
  expect(records).toHaveLength(1);
  return records[0]!;
}

describe("the signer's record in the LogSequencer", () => {
  it('advances with each honest checkpoint and is kept in the object, not in D1', async () => {
    const res = await admin.client.post('/api/v1/log/checkpoint');
    expect(res.status, res.text).toBe(200);
    const record = await storedRecord();
    expect({ size: record.size, rootHash: toBase64(record.rootHash), note: record.note }).toEqual({ size: res.body.size, rootHash: res.body.rootHash, note: res.body.note });
  });

  it('refuses a tree forged in D1, on demand and by the alarm, and keeps the honest record', async () => {
    const honest = (await admin.client.post('/api/v1/log/checkpoint')).body;
    await invite(admin, { email: 'late@police.ua', displayName: 'Late', role: 'investigator', agencyId: directory.agencies.policeA });
    // Write access to D1, no key: rewrite entry 0 and recompute every node so the forged tree is self-consistent.
    await bindings.DB.prepare(`update log_entries set data = replace(data, 'first-admin-link', 'forged-link') where idx = 0`).run();
    const { results } = await bindings.DB.prepare('select data from log_entries order by idx').all<{ data: string }>();
    const rebuilt = appendLeaves([], 0, results.map((e) => leafHash(new TextEncoder().encode(e.data))));
    const insert = bindings.DB.prepare('insert into log_nodes (level, idx, hash) values (?, ?, ?)');
    await bindings.DB.batch([bindings.DB.prepare('delete from log_nodes'), ...rebuilt.newNodes.map((n) => insert.bind(n.level, n.index, n.hash))]);

    const res = await admin.client.post('/api/v1/log/checkpoint');
    expect(res.status, res.text).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toMatch(new RegExp(`not a consistent extension of the signed tree of size ${honest.size}`));

    // The alarm refuses too (and does not crash the object), and nothing was signed.
    await runDurableObjectAlarm(sequencer());
    const record = await storedRecord();
    expect({ size: record.size, rootHash: toBase64(record.rootHash) }).toEqual({ size: honest.size, rootHash: honest.rootHash });
    const served = await admin.client.request('GET', '/api/v1/log/checkpoint', undefined, { headers: { accept: 'application/json' } });
    expect(served.body).toMatchObject({ size: honest.size, rootHash: honest.rootHash });
  });
});
