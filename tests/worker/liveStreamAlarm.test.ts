// What only workerd has: the device object's alarm, run at once, ending a stream whose session went idle (in its own
// file, so that it starts from a fresh installation).
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sessionTokenHash } from '../../src/auth/sessions';
import { newDevice } from '../support/devices';
import { enrolFirstAdmin, invite, seedDirectory } from '../support/people';
import { waitFor } from '../support/waitFor';
import { startWorkerHarness, workerEnv } from './workerHarness';

describe('live streams in workerd only', () => {
  // workerd-only: Node re-checks on timers (its idle deadline is tested with a short setting in tests/relay/liveStreams).
  it("the device object's alarm closes a stream whose session went idle, although the stream stayed open", async () => {
    const server = await startWorkerHarness();
    const admin = await enrolFirstAdmin(server);
    const { agencies } = await seedDirectory(admin);
    const anna = await invite(admin, { email: 'idle@police.ua', displayName: 'Idle Anna', role: 'investigator', agencyId: agencies.policeA });
    const device = await newDevice(anna, 'Anna desk');
    const socket = anna.client.openSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/devices/${device.device.deviceId}/stream`);
    let ready = false;
    socket.onmessage = (event) => void (ready ||= String(event.data).includes('"ready"'));
    let isOpen = true;
    const closed = new Promise<number>((resolve) => (socket.onclose = (event) => ((isOpen = false), resolve((event as { code: number }).code))));
    await waitFor(() => (ready ? true : undefined), 'the stream to be ready');
    const object = workerEnv.LIVE.get(workerEnv.LIVE.idFromName(device.device.deviceId));
    const tokenHash = await sessionTokenHash(anna.client.sessionCookie!);
    const setLastSeen = (at: number) => workerEnv.DB.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?').bind(at, tokenHash).run();
    const lastSeen = async () => (await workerEnv.DB.prepare('SELECT last_seen_at AS at FROM sessions WHERE token_hash = ?').bind(tokenHash).first<{ at: number }>())?.at;
    // Two minutes without a request: still live, so the alarm leaves the stream open, and its check is no activity.
    const twoMinutesAgo = Date.now() - 120_000;
    await setLastSeen(twoMinutesAgo);
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(isOpen).toBe(true);
    expect(await lastSeen()).toBe(twoMinutesAgo);
    // Past the idle period: the next alarm ends the stream.
    await setLastSeen(Date.now() - server.services.config.sessionIdleMs - 1);
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(await closed).toBe(4401);
  });
});
