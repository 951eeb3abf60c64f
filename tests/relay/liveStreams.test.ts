// Live streams and their sessions on Node: the scenario shared with workerd (tests/scenarios/liveStreams.scenario.ts),
// plus what needs a server started with its own settings: idle expiry to the moment, and the probe's 24 MiB frame.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { sessionTokenHash } from '../../src/auth/sessions';
import { liveStreamsScenario } from '../scenarios/liveStreams.scenario';
import { ApiClient } from '../support/apiClient';
import { newDevice } from '../support/devices';
import { startNodeHarness } from '../support/nodeHarness';
import { enrolFirstAdmin, invite, seedDirectory } from '../support/people';
import { startTestServer, type TestServer } from '../support/testServer';

liveStreamsScenario(startNodeHarness);

async function withServer(env: Record<string, string>, run: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer({ env });
  try {
    await run(server);
  } finally {
    await server.stop();
  }
}

function openSocket(server: TestServer, client: ApiClient, deviceId: string) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/devices/${deviceId}/stream`, { headers: client.socketHeaders() });
  const ready = new Promise((resolve) => ws.on('message', resolve));
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason), at: Date.now() })));
  return { ws, ready, closed };
}

async function openInbox(server: TestServer, client: ApiClient) {
  const res = await fetch(`${server.url}/api/v1/ncb/stream`, { headers: client.socketHeaders() });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const ended = (async () => {
    while (!(await reader.read()).done);
    return Date.now();
  })();
  return { ended, cancel: () => reader.cancel() };
}

describe('live streams on Node only', () => {
  // Node-only: the idle period must be short to wait for it, and workerd's settings are fixed for the whole run.
  it('ends streams at the idle deadline their session reaches without a request of its user, not later', async () => {
    await withServer({ EXIGENT_SESSION_IDLE_MINUTES: '1' }, async (server) => {
      const admin = await enrolFirstAdmin(server);
      const { agencies } = await seedDirectory(admin);
      const officer = await invite(admin, { email: 'o@ncb.pl', displayName: 'Officer', role: 'ncb_officer', agencyId: agencies.ncbB });
      const anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
      const device = await newDevice(anna, 'Anna desk');
      // Last seen 57 s ago: under a minute, so opening the streams does not touch it; the idle deadline is 3 s away.
      const lastSeen = Date.now() - 57_000;
      for (const client of [officer.client, anna.client]) {
        server.services.database.sqlite
          .prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?')
          .run(lastSeen, await sessionTokenHash(client.sessionCookie!));
      }
      const inbox = await openInbox(server, officer.client);
      const socket = openSocket(server, anna.client, device.device.deviceId);
      await socket.ready;
      const deadline = lastSeen + 60_000;
      const [inboxEnded, socketClosed] = await Promise.all([inbox.ended, socket.closed]);
      // The streams' own checks are not activity: they end although open all along.
      for (const at of [inboxEnded, socketClosed.at]) {
        expect(at).toBeGreaterThanOrEqual(deadline);
        expect(at).toBeLessThan(deadline + 2000);
      }
      expect(socketClosed.code).toBe(4401);
      expect((await officer.client.get('/api/v1/me')).status).toBe(401);
    });
  });

  it('keeps a stream whose user was active meanwhile past the deadline it first saw', async () => {
    await withServer({ EXIGENT_SESSION_IDLE_MINUTES: '1' }, async (server) => {
      const admin = await enrolFirstAdmin(server);
      const { agencies } = await seedDirectory(admin);
      const anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
      const device = await newDevice(anna, 'Anna desk');
      const touch = async (at: number) =>
        server.services.database.sqlite.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?').run(at, await sessionTokenHash(anna.client.sessionCookie!));
      await touch(Date.now() - 58_000);
      const socket = openSocket(server, anna.client, device.device.deviceId);
      await socket.ready;
      // What a request of hers does to the row (the touch happens at most once a minute).
      await touch(Date.now());
      let closed = false;
      void socket.closed.then(() => (closed = true));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(closed).toBe(false);
      socket.ws.close();
    });
  });

  // The probe's frame, on Node, where `ws` refuses it from its header, before reading the payload; the scenario's frame
  // one byte over the limit shows the same close on both runtimes.
  it('closes a stream that sends a 24 MiB frame with 1009 at the default limit', async () => {
    await withServer({}, async (server) => {
      const admin = await enrolFirstAdmin(server);
      const { agencies } = await seedDirectory(admin);
      const anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
      const device = await newDevice(anna, 'Anna desk');
      const socket = openSocket(server, anna.client, device.device.deviceId);
      await socket.ready;
      socket.ws.send('x'.repeat(24 * 1024 * 1024));
      expect(await socket.closed).toMatchObject({ code: 1009, reason: `frame exceeds the limit of ${16 * 1024} bytes` });
    });
  });
});
