// What a caller can make the server hold or store, with the limits set low: bodies of callers without a session are
// refused unread, request bodies in flight share one budget (503 and Retry-After when it is spent), and attachment
// uploads and passkey challenges have quotas (429 and Retry-After). A scenario: it runs on Node
// (tests/http/requestLimits.test.ts) and in workerd (tests/worker/requestLimits.test.ts), where the quotas are counted
// in RateLimitCounter objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../../src/relay/conversations';
import { ApiClient, type ApiResponse } from '../support/apiClient';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Directory, type Person } from '../support/people';
import { draftFor } from '../support/urgent';

const MiB = 1024 * 1024;

export const REQUEST_LIMITS = {
  EXIGENT_MAX_ATTACHMENT_MB: '1',
  // Exactly one attachment's worth: one upload in flight holds all of it.
  EXIGENT_MAX_BODIES_IN_FLIGHT_MB: '1',
  EXIGENT_ATTACHMENT_UPLOADS_PER_HOUR: '4',
  EXIGENT_ATTACHMENT_MB_PER_HOUR: '2',
  EXIGENT_CHALLENGE_RATE_PER_MINUTE: '3',
  EXIGENT_AUTH_RATE_LIMIT: '40',
};

/** A request body the test sends a part of and then holds open, as a slow or stalled client would. */
function heldBody(first: Uint8Array) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(first);
    },
  });
  return { stream, finish: () => controller.close(), abandon: () => controller.error(new Error('the client gave up')) };
}

async function asApiResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

/** Sends until the answer has `status` (the server may not be in that state yet), for at most 5 s. */
async function untilStatus(status: number, send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await send();
    if (res.status === status || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function expectProblem(res: ApiResponse, status: number, detail: RegExp) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.detail).toMatch(detail);
}

export function requestLimitsScenario(start: StartHarness) {
  describe('request bodies and quotas', () => {
    let server: Harness;
    let directory: Directory;
    let admin: Person;
    const investigators: Person[] = [];
    let counterpart: Person;

    /** A fresh investigator (their own quotas) in a conversation with the counterpart. */
    async function uploader(): Promise<{ person: Person; path: string }> {
      const n = investigators.length;
      const person = await invite(admin, { email: `i${n}@police.ua`, displayName: `Investigator ${n}`, role: 'investigator', agencyId: directory.agencies.policeA });
      investigators.push(person);
      const conversationId = await createConversation(server.services, { memberUserIds: [person.user.id, counterpart.user.id] });
      return { person, path: `/api/v1/conversations/${conversationId}/attachments` };
    }

    const upload = async (person: Person, path: string, bytes: number) =>
      asApiResponse(await person.client.fetch(new URL(path, server.url), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes) }));

    const streamed = (client: ApiClient | undefined, path: string, body: ReadableStream<Uint8Array>) =>
      (client?.fetch ?? ApiClient.transport.fetch)(new URL(path, server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', origin: new ApiClient(server.url).origin },
        body,
        duplex: 'half',
      } as RequestInit);

    beforeAll(async () => {
      server = await start({ env: REQUEST_LIMITS });
      admin = await enrolFirstAdmin(server);
      directory = await seedDirectory(admin);
      counterpart = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: directory.agencies.policeB });
    });
    afterAll(async () => server.stop());

    it('refuses the body of a caller without a session before reading it', async () => {
      const { path } = await uploader();
      // The body never ends: only a server that does not wait for it can answer.
      const body = heldBody(new Uint8Array(64 * 1024));
      const res = await asApiResponse(await streamed(undefined, path, body.stream));
      body.abandon();
      expectProblem(res, 401, /refused unread from a caller without a session/);
    });

    it('gives the sign-in ceremonies a small body limit', async () => {
      const res = await new ApiClient(server.url).post('/api/v1/auth/login/complete', { challengeId: 'x', response: { id: 'a'.repeat(70 * 1024) } });
      expectProblem(res, 413, /request body of a caller without a session exceeds the limit of 65536 bytes/);
    });

    it('holds bodies in flight to one budget: the next body waits (503, Retry-After) until an upload in flight is done', async () => {
      const { person, path } = await uploader();
      // Its length is unknown until it ends, so it holds a whole attachment's worth: the entire budget.
      const body = heldBody(new Uint8Array(1000));
      const uploading = streamed(person.client, path, body.stream);
      const refused = await untilStatus(503, () => person.client.patch('/api/v1/me/passkeys/no-such-passkey', { name: 'Desk key' }));
      expectProblem(refused, 503, /holding as many request bodies as it may \(1048576 bytes\); try again in 1 s/);
      expect(refused.headers.get('retry-after')).toBe('1');
      body.finish();
      const stored = await asApiResponse(await uploading);
      expect(stored.status, stored.text).toBe(201);
      expect(stored.body.size).toBe(1000);
      expect((await upload(person, path, 100)).status).toBe(201);
    });

    it('frees the budget of an upload its client abandoned', async () => {
      const { person, path } = await uploader();
      const body = heldBody(new Uint8Array(1000));
      const uploading = streamed(person.client, path, body.stream).catch((error: Error) => error);
      await new Promise((r) => setTimeout(r, 100));
      body.abandon();
      await uploading;
      const res = await untilStatus(201, () => upload(person, path, 100));
      expect(res.status, res.text).toBe(201);
    });

    it('limits how many attachments a user uploads per hour', async () => {
      const { person, path } = await uploader();
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await upload(person, path, 100)).status);
      expect(statuses).toEqual([201, 201, 201, 201]);
      const refused = await upload(person, path, 100);
      expectProblem(refused, 429, /Too many attachment uploads \(at most 4 per hour\); try again in \d+ s/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // The others are not held to this user's quota.
      const other = await uploader();
      expect((await upload(other.person, other.path, 100)).status).toBe(201);
    });

    it('limits how many bytes of attachments a user uploads per hour, refusing before the body is read', async () => {
      const { person, path } = await uploader();
      expect((await upload(person, path, MiB)).status).toBe(201);
      expect((await upload(person, path, MiB - 100)).status).toBe(201);
      const refused = await upload(person, path, 200);
      expectProblem(refused, 429, /Too many attachment bytes \(at most 2097152 per hour\)/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // What still fits is taken: a refused upload used up nothing.
      expect((await upload(person, path, 100)).status).toBe(201);
    });

    it("limits the passkey challenges a signed-in user creates: urgent-contact step-ups and new passkeys share one budget", async () => {
      const { person } = await uploader();
      const draft = draftFor(counterpart);
      expect((await person.client.post('/api/v1/urgent-contacts/options', draft)).status).toBe(200);
      expect((await person.client.post('/api/v1/urgent-contacts/options', draft)).status).toBe(200);
      expect((await person.client.post('/api/v1/me/passkeys/options')).status).toBe(200);
      const urgent = await person.client.post('/api/v1/urgent-contacts/options', draft);
      expectProblem(urgent, 429, /Too many passkey challenges \(at most 3 per minute\)/);
      expect(Number(urgent.headers.get('retry-after'))).toBeGreaterThan(0);
      expectProblem(await person.client.post('/api/v1/me/passkeys/options'), 429, /Too many passkey challenges/);
    });

    // Last: on Node every client here shares 127.0.0.1, so this uses up the sign-in budget of the whole scenario.
    it('limits the login challenges one client address creates', async () => {
      // Workers key this limit on the address Cloudflare's edge sets; Node takes the socket's and ignores the header.
      const address = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
      const client = new ApiClient(server.url);
      let res: ApiResponse | undefined;
      for (let attempt = 0; attempt <= Number(REQUEST_LIMITS.EXIGENT_AUTH_RATE_LIMIT) && res?.status !== 429; attempt++) {
        res = await client.request('POST', '/api/v1/auth/login/options', undefined, { headers: { 'cf-connecting-ip': address } });
        if (res.status !== 429) expect(res.status, res.text).toBe(200);
      }
      expectProblem(res!, 429, /Too many authentication attempts \(at most 40 per minute\)/);
      expect(Number(res!.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });
}
