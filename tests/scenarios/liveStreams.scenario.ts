// Live streams end with the session they were opened under, and a session cannot hoard them. A stream ends at once on
// logout, on signing in again from the same browser and when the passkey its session was signed in with is removed
// (only that session's streams: another officer's, and the same officer's other sessions, keep going); at the moment
// of absolute expiry; and a device's stream when the device is revoked. A device stream closes on a frame over the
// limit (1009), and the stream beyond the caps per device and per session is refused (429) before it opens.
// A scenario: it runs on Node (tests/relay/liveStreams.test.ts) and in workerd (tests/worker/liveStreams.test.ts).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logEntries } from '../../src/audit-log/tables';
import { sessionTokenHash } from '../../src/auth/sessions';
import { ApiClient, TEST_ORIGIN } from '../support/apiClient';
import { newDevice } from '../support/devices';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, login, seedDirectory, type Directory, type Person } from '../support/people';
import { draftFor, openContact } from '../support/urgent';
import { waitFor } from '../support/waitFor';
import { SoftAuthenticator } from '../support/webauthn/softAuthenticator';

/** Well under the 15 s re-check: an end this quick was caused by the event, not found by polling. */
const PROMPTLY_MS = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with `promise`, or fails naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`timed out after ${ms} ms waiting for ${what}`)))]);
}

interface Inbox {
  text(): string;
  until(pattern: RegExp): Promise<void>;
  /** When the server ended the stream (ms since epoch). */
  ended: Promise<number>;
  isOpen(): boolean;
  cancel(): Promise<void>;
}

async function openInbox(server: Harness, client: ApiClient): Promise<Inbox> {
  const abort = new AbortController();
  const res = await ApiClient.transport.fetch(`${server.url}/api/v1/ncb/stream`, { headers: client.socketHeaders(), signal: abort.signal });
  if (res.status !== 200) throw new Error(`inbox stream refused: ${res.status} ${await res.text()}`);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  let open = true;
  const ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    return Date.now();
  })()
    .catch(() => Date.now())
    .finally(() => (open = false));
  const inbox: Inbox = {
    text: () => text,
    until: async (pattern) => void (await waitFor(() => (pattern.test(text) ? true : undefined), `${pattern} on the inbox stream`)),
    ended,
    isOpen: () => open,
    async cancel() {
      await reader.cancel().catch(() => undefined);
      abort.abort();
    },
  };
  await inbox.until(/event: ready/);
  return inbox;
}

interface DeviceSocket {
  send(text: string): void;
  frames: string[];
  closed: Promise<{ code: number; reason: string; at: number }>;
  isOpen(): boolean;
  close(): void;
}

/** A device stream opened by `client`, resolved once its backlog is replayed (`ready`). */
async function openDeviceSocket(server: Harness, client: ApiClient, deviceId: string): Promise<DeviceSocket> {
  const socket = client.openSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/devices/${deviceId}/stream`);
  const frames: string[] = [];
  let open = true;
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => {
    socket.onclose = (event) => {
      open = false;
      const { code, reason } = event as { code: number; reason?: string };
      resolve({ code, reason: String(reason ?? ''), at: Date.now() });
    };
  });
  socket.onmessage = (event) => void frames.push(String(event.data));
  await within(
    waitFor(() => (frames.some((f) => f.includes('"ready"')) ? true : undefined), 'the stream to be ready'),
    5000,
    'the device stream to open',
  );
  return { send: (text) => socket.send(text), frames, closed, isOpen: () => open, close: () => socket.close() };
}

/** The status a refused WebSocket handshake was answered with (101 when it opened). */
function handshakeStatus(server: Harness, client: ApiClient, deviceId: string): Promise<number> {
  const socket = client.openSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/devices/${deviceId}/stream`);
  return new Promise((resolve) => {
    socket.onopen = () => {
      socket.close();
      resolve(101);
    };
    // `ws` on Node reports "Unexpected server response: 429"; the workerd harness reports the status itself.
    socket.onerror = (event) => {
      const e = event as { status?: number; message?: string };
      resolve(e.status ?? Number(/Unexpected server response: (\d+)/.exec(String(e.message))?.[1] ?? -1));
    };
  });
}

/** A stream that answers a malformed frame is still open and served. */
async function stillServed(socket: DeviceSocket): Promise<void> {
  const before = socket.frames.length;
  socket.send('not an acknowledgement');
  await waitFor(() => (socket.frames.slice(before).some((f) => f.includes('"error"')) ? true : undefined), 'the stream to answer');
}

async function addPasskey(person: Person, name: string): Promise<{ id: string; authenticator: SoftAuthenticator }> {
  const authenticator = new SoftAuthenticator({ origin: TEST_ORIGIN });
  const begin = await person.client.post('/api/v1/me/passkeys/options');
  expect(begin.status, begin.text).toBe(200);
  const added = await person.client.post('/api/v1/me/passkeys', {
    challengeId: begin.body.challengeId,
    response: await authenticator.createCredential(begin.body.options),
    name,
  });
  expect(added.status, added.text).toBe(201);
  return { id: added.body.id, authenticator };
}

export function liveStreamsScenario(start: StartHarness) {
  describe('live streams', () => {
    let server: Harness;
    let admin: Person;
    let agencies: Directory['agencies'];
    let anna: Person; // investigator, Ukraine: opens contacts to Poland
    let piotr: Person; // investigator, Poland
    const inviteAs = (email: string, role: 'investigator' | 'ncb_officer', agencyId: string) => invite(admin, { email, displayName: email, role, agencyId });

    beforeAll(async () => {
      server = await start();
      admin = await enrolFirstAdmin(server);
      ({ agencies } = await seedDirectory(admin));
      anna = await inviteAs('anna@police.ua', 'investigator', agencies.policeA);
      piotr = await inviteAs('piotr@police.pl', 'investigator', agencies.policeB);
    });
    afterAll(async () => server.stop());

    describe('end with their session', () => {
      it("logout ends that session's inbox stream at once; another officer's and the officer's other session keep receiving", async () => {
        const olga = await inviteAs('olga@ncb.pl', 'ncb_officer', agencies.ncbB);
        const marek = await inviteAs('marek@ncb.pl', 'ncb_officer', agencies.ncbB);
        const olgaElsewhere = await login(olga);
        const [leaving, staying, colleague] = [await openInbox(server, olga.client), await openInbox(server, olgaElsewhere), await openInbox(server, marek.client)];
        try {
          const loggedOut = Date.now();
          expect((await olga.client.post('/api/v1/auth/logout')).status).toBe(204);
          expect((await within(leaving.ended, PROMPTLY_MS, "the logged-out session's stream to end")) - loggedOut).toBeLessThan(PROMPTLY_MS);
          const opened = await openContact(anna, draftFor(piotr, { caseReference: 'UA-2026-0101' }));
          expect(opened.status, opened.text).toBe(201);
          await staying.until(new RegExp(opened.body.id));
          await colleague.until(new RegExp(opened.body.id));
          expect(leaving.text()).not.toContain(opened.body.id);
        } finally {
          await Promise.all([leaving, staying, colleague].map((s) => s.cancel()));
        }
      });

      it("logout ends that session's device stream at once; the same device's stream in another session stays open", async () => {
        const device = await newDevice(anna, 'Anna desk');
        const [first, second] = [await login(anna), await login(anna)];
        const leaving = await openDeviceSocket(server, first, device.device.deviceId);
        const staying = await openDeviceSocket(server, second, device.device.deviceId);
        try {
          expect((await first.post('/api/v1/auth/logout')).status).toBe(204);
          expect(await within(leaving.closed, PROMPTLY_MS, 'the logged-out stream to close')).toMatchObject({ code: 4401 });
          await stillServed(staying);
        } finally {
          staying.close();
        }
      });

      it('signing in again from the same browser ends the streams of the session it replaces', async () => {
        const device = await newDevice(anna, 'Anna kiosk');
        const browser = await login(anna);
        const stream = await openDeviceSocket(server, browser, device.device.deviceId);
        const begin = await browser.post('/api/v1/auth/login/options');
        const signedIn = await browser.post('/api/v1/auth/login/complete', {
          challengeId: begin.body.challengeId,
          response: await anna.authenticator.getAssertion(begin.body.options),
        });
        expect(signedIn.status, signedIn.text).toBe(200);
        expect(await within(stream.closed, PROMPTLY_MS, 'the replaced session’s stream to close')).toMatchObject({ code: 4401 });
        // The browser's new session opens a stream as usual.
        (await openDeviceSocket(server, browser, device.device.deviceId)).close();
      });

      it('removing a passkey ends the inbox streams of the sessions signed in with it, and no others', async () => {
        const ewa = await inviteAs('ewa@ncb.pl', 'ncb_officer', agencies.ncbB);
        const laptop = await addPasskey(ewa, 'Laptop');
        const laptopSession = await login({ ...ewa, authenticator: laptop.authenticator });
        const [onLaptop, onPhone] = [await openInbox(server, laptopSession), await openInbox(server, ewa.client)];
        try {
          expect((await ewa.client.delete(`/api/v1/me/passkeys/${laptop.id}`)).status).toBe(204);
          await within(onLaptop.ended, PROMPTLY_MS, "the removed passkey's session stream to end");
          expect((await laptopSession.get('/api/v1/me')).status).toBe(401);
          expect((await ewa.client.get('/api/v1/me')).status).toBe(200);
          const opened = await openContact(anna, draftFor(piotr, { caseReference: 'UA-2026-0102' }));
          await onPhone.until(new RegExp(opened.body.id));
        } finally {
          await Promise.all([onLaptop, onPhone].map((s) => s.cancel()));
        }
      });

      it('removing a passkey ends the device streams of the sessions signed in with it, and no others', async () => {
        const iryna = await inviteAs('iryna@police.ua', 'investigator', agencies.policeA);
        const device = await newDevice(iryna, 'Iryna desk');
        const laptop = await addPasskey(iryna, 'Laptop');
        const laptopSession = await login({ ...iryna, authenticator: laptop.authenticator });
        const onLaptop = await openDeviceSocket(server, laptopSession, device.device.deviceId);
        const onDesk = await openDeviceSocket(server, iryna.client, device.device.deviceId);
        try {
          expect((await iryna.client.delete(`/api/v1/me/passkeys/${laptop.id}`)).status).toBe(204);
          expect(await within(onLaptop.closed, PROMPTLY_MS, "the removed passkey's session stream to close")).toMatchObject({ code: 4401 });
          await stillServed(onDesk);
        } finally {
          onDesk.close();
        }
      });

      it('removing the passkey this session was signed in with signs this browser out; a session of unknown passkey ends too', async () => {
        const lena = await inviteAs('lena@police.ua', 'investigator', agencies.policeA);
        const laptop = await addPasskey(lena, 'Laptop');
        const laptopSession = await login({ ...lena, authenticator: laptop.authenticator });
        // A session from before sessions recorded their passkey.
        const older = await login(lena);
        await server.execute(`UPDATE sessions SET credential_id = NULL WHERE token_hash = '${await sessionTokenHash(older.sessionCookie!)}'`);
        const revoked = await laptopSession.delete(`/api/v1/me/passkeys/${laptop.id}`);
        expect(revoked.status).toBe(204);
        expect(revoked.headers.get('set-cookie')).toMatch(/exigent_session=;/);
        expect(laptopSession.sessionCookie).toBeUndefined();
        expect((await older.get('/api/v1/me')).status).toBe(401);
        expect((await lena.client.get('/api/v1/me')).status).toBe(200);
        // The log says how many sessions the revocation ended: the laptop's and the older one.
        const entries = await server.services.database.db.select().from(logEntries).where(eq(logEntries.type, 'passkey.revoked'));
        const entry = entries.map((e) => JSON.parse(e.data)).find((e) => e.subject.credentialId === laptop.id);
        expect(entry.details).toEqual({ sessionsEnded: 2 });
      });

      it('ends inbox and device streams when their session reaches its absolute expiry', async () => {
        const officer = await login(await inviteAs('jan@ncb.pl', 'ncb_officer', agencies.ncbB));
        const investigator = await login(anna);
        const device = await newDevice(anna, 'Anna tablet');
        const expiresAt = Date.now() + 2500;
        for (const client of [officer, investigator]) {
          await server.execute(`UPDATE sessions SET expires_at = ${expiresAt} WHERE token_hash = '${await sessionTokenHash(client.sessionCookie!)}'`);
        }
        const inbox = await openInbox(server, officer);
        const socket = await openDeviceSocket(server, investigator, device.device.deviceId);
        try {
          const [inboxEnded, socketClosed] = await within(Promise.all([inbox.ended, socket.closed]), 2500 + PROMPTLY_MS, 'both streams to end');
          // Not before the expiry (a little slack for the runtimes' coarse clocks), and promptly after it.
          for (const at of [inboxEnded, socketClosed.at]) expect(at).toBeGreaterThanOrEqual(expiresAt - 250);
          expect(socketClosed.code).toBe(4401);
        } finally {
          await inbox.cancel();
        }
      });

      it('closes a device stream when the device is revoked', async () => {
        const device = await newDevice(anna, 'Anna old phone');
        const socket = await openDeviceSocket(server, anna.client, device.device.deviceId);
        expect((await anna.client.delete(`/api/v1/devices/${device.device.deviceId}`)).status).toBe(204);
        expect(await within(socket.closed, PROMPTLY_MS, "the revoked device's stream to close")).toMatchObject({ code: 4403, reason: 'device revoked' });
      });
    });

    describe('limits', () => {
      it('closes a device stream that sends a frame over EXIGENT_MAX_FRAME_KB with 1009, naming the limit', async () => {
        const { maxFrameBytes } = server.services.config;
        const device = await newDevice(piotr, 'Piotr desk');
        const socket = await openDeviceSocket(server, piotr.client, device.device.deviceId);
        // A frame of exactly the limit is read (and answered as malformed).
        const before = socket.frames.length;
        socket.send('x'.repeat(maxFrameBytes));
        await waitFor(() => (socket.frames.slice(before).some((f) => f.includes('"error"')) ? true : undefined), 'the answer to a frame at the limit');
        socket.send('x'.repeat(maxFrameBytes + 1));
        expect(await within(socket.closed, PROMPTLY_MS, 'the stream to close')).toMatchObject({
          code: 1009,
          reason: `frame exceeds the limit of ${maxFrameBytes} bytes`,
        });
      });

      it('refuses a device stream beyond EXIGENT_STREAMS_PER_DEVICE with 429 before it opens', async () => {
        const { streamsPerDevice } = server.services.config;
        const device = await newDevice(piotr, 'Piotr laptop');
        const sessions = await Promise.all([login(piotr), login(piotr)]);
        // Across sessions: the cap is the device's.
        const open: DeviceSocket[] = [];
        for (let i = 0; i < streamsPerDevice; i++) open.push(await openDeviceSocket(server, sessions[i % 2]!, device.device.deviceId));
        expect(await handshakeStatus(server, sessions[0]!, device.device.deviceId)).toBe(429);
        // Closing one frees its place.
        open.pop()!.close();
        await within(
          (async () => {
            while ((await handshakeStatus(server, sessions[1]!, device.device.deviceId)) !== 101) await sleep(100);
          })(),
          PROMPTLY_MS,
          'a place to free up',
        );
        for (const socket of open) socket.close();
      });

      it('refuses a stream beyond EXIGENT_STREAMS_PER_SESSION, across devices; another session still opens one', async () => {
        const { streamsPerDevice, streamsPerSession } = server.services.config;
        const bogdan = await inviteAs('bogdan@police.pl', 'investigator', agencies.policeB);
        const devices = await Promise.all(Array.from({ length: Math.ceil(streamsPerSession / streamsPerDevice) + 1 }, (_, i) => newDevice(bogdan, `desk ${i}`)));
        const open: DeviceSocket[] = [];
        for (let i = 0; i < streamsPerSession; i++) {
          open.push(await openDeviceSocket(server, bogdan.client, devices[Math.floor(i / streamsPerDevice)]!.device.deviceId));
        }
        const spare = devices.at(-1)!.device.deviceId;
        expect(await handshakeStatus(server, bogdan.client, spare)).toBe(429);
        const other = await login(bogdan);
        (await openDeviceSocket(server, other, spare)).close();
        for (const socket of open) socket.close();
      });

      it('refuses an inbox stream beyond EXIGENT_STREAMS_PER_SESSION with a 429 problem', async () => {
        const { streamsPerSession } = server.services.config;
        const zofia = await inviteAs('zofia@ncb.pl', 'ncb_officer', agencies.ncbB);
        const open: Inbox[] = [];
        try {
          for (let i = 0; i < streamsPerSession; i++) open.push(await openInbox(server, zofia.client));
          const refused = await zofia.client.get('/api/v1/ncb/stream');
          expect(refused.status).toBe(429);
          expect(refused.headers.get('content-type')).toContain('application/problem+json');
          expect(refused.body.detail).toBe(`This session already has ${streamsPerSession} live streams open, the most allowed; close one (another tab?) and try again`);
          expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
        } finally {
          await Promise.all(open.map((s) => s.cancel()));
        }
      });
    });
  });
}
