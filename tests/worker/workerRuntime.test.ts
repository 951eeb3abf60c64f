// What only the Workers runtime has: settings read from vars (same names, validation and messages as Node's
// environment), attachments' bytes in R2 (and erased there by retention), and checkpoints signed by the
// LogSequencer's alarm with the key from the secret. The shared scenarios cover everything else on both runtimes.
import { createExecutionContext, createScheduledController, env, runDurableObjectAlarm, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { latestCheckpoint } from '../../src/audit-log/checkpoints';
import { openNote, parseVerifierKey } from '../../src/audit-log/tlog';
import { loadConfig } from '../../src/config/loadConfig';
import { createConversation } from '../../src/relay/conversations';
import worker from '../../src/runtime/worker/index';
import { LOG_SEQUENCER_NAME } from '../../src/runtime/worker/remoteLogWriter';
import type { Harness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';
import { draftFor, openContact } from '../support/urgent';
import { startWorkerHarness, workerEnv } from './workerHarness';

let server: Harness;
let anna: Person, piotr: Person, compliance: Person;
let conversationId: string;

beforeAll(async () => {
  server = await startWorkerHarness();
  const admin = await enrolFirstAdmin(server);
  const { agencies } = await seedDirectory(admin);
  anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
  piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
  compliance = await invite(admin, { email: 'c@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: agencies.oversight });
  // Conversations are opened by the urgent-contact workflow; here the domain function does it directly.
  conversationId = await createConversation(server.services, { memberUserIds: [anna.user.id, piotr.user.id] });
});

describe('settings on Workers', () => {
  it('are validated as on Node, and a bad one is answered with a problem naming it', async () => {
    const bad = { ...workerEnv, EXIGENT_SESSION_IDLE_MINUTES: 'soon' };
    const expected = (() => {
      try {
        loadConfig({ EXIGENT_SESSION_IDLE_MINUTES: 'soon' });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(expected).toContain('EXIGENT_SESSION_IDLE_MINUTES must be a whole number');
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request('http://localhost:8787/healthz') as never, bad, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toBe(expected);
  });

  it('name the missing signing-key secret', async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request('http://localhost:8787/healthz') as never, { ...workerEnv, EXIGENT_LOG_SIGNING_KEY: undefined }, ctx);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toContain('wrangler secret put EXIGENT_LOG_SIGNING_KEY');
  });
});

describe('attachments in R2', () => {
  it('keeps the ciphertext in the bucket (not in D1), serves it back to members only, and retention erases it there', async () => {
    const ciphertext = crypto.getRandomValues(new Uint8Array(64 * 1024));
    const upload = await anna.client.fetch(`${server.url}/api/v1/conversations/${conversationId}/attachments`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: ciphertext,
    });
    expect(upload.status, await upload.clone().text()).toBe(201);
    const { id } = (await upload.json()) as { id: string };

    const object = await workerEnv.ATTACHMENTS.get(id);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(ciphertext);
    const row = await workerEnv.DB.prepare('select size, length(data) as stored from blobs where id = ?').bind(id).first<{ size: number; stored: number }>();
    expect(row).toEqual({ size: ciphertext.byteLength, stored: 0 });

    const download = await piotr.client.fetch(`${server.url}/api/v1/attachments/${id}`);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(ciphertext);
    expect((await compliance.client.get(`/api/v1/attachments/${id}`)).status).toBe(403);

    const report = await server.runDueWork({ at: Date.now() + server.services.config.retentionMs + 60_000 });
    expect(report.purged.blobs).toBe(1);
    expect(await workerEnv.ATTACHMENTS.get(id)).toBeNull();
    expect((await piotr.client.get(`/api/v1/attachments/${id}`)).status).toBe(404);
  });
});

describe('the log single writer', () => {
  it("signs a checkpoint from its alarm with the secret's key, covering every leaf", async () => {
    const sequencer = env.LOG.get(env.LOG.idFromName(LOG_SEQUENCER_NAME));
    expect(await runDurableObjectAlarm(sequencer)).toBe(true);
    const checkpoint = await latestCheckpoint(server.services);
    expect(checkpoint.size).toBe(await server.services.logWriter.size());
    const key = parseVerifierKey((await compliance.client.get('/api/v1/log/key')).body.verifierKey);
    await expect(openNote(checkpoint.note, key)).resolves.toBeDefined();
  });
});

describe('Cron Trigger invocations that overlap', () => {
  it('run one after another in the DueWorkRunner object and escalate each notification once', async () => {
    const opened = await openContact(anna, draftFor(piotr, { caseReference: 'UA-2026-CRON' }));
    expect(opened.status, opened.text).toBe(201);
    // Both NCB notifications become due: as if they had waited a full escalation window.
    const window = server.services.config.ncbEscalationMs;
    await workerEnv.DB.prepare('update ncb_notifications set created_at = created_at - ? where contact_id = ?').bind(window + 60_000, opened.body.id).run();
    const escalations = () => workerEnv.DB.prepare("select count(*) as n from log_entries where type = 'ncb.escalated'").first<{ n: number }>();
    const before = (await escalations())!.n;

    const invoke = async () => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), workerEnv, ctx);
      await waitOnExecutionContext(ctx);
    };
    await Promise.all([invoke(), invoke(), invoke()]);

    expect((await escalations())!.n).toBe(before + 2);
    const levels = await workerEnv.DB.prepare('select escalation_level as level from ncb_notifications where contact_id = ?').bind(opened.body.id).all<{ level: number }>();
    expect(levels.results.map((r) => r.level)).toEqual([1, 1]);
  });
});
