/**
 * @module The delivery benchmark's people: `npm start`'s server as a child process on a free loopback port, and N
 * sender→receiver pairs — two investigators, one device each, one conversation of just the two — enrolled through
 * the real passkey ceremonies, so every envelope is sealed for exactly one recipient device.
 */
import { join } from 'node:path';
import pino from 'pino';
import { Api } from '../../clients/sdk/api';
import { generateDeviceKeys } from '../../clients/sdk/crypto';
import { Messenger, type DeviceIdentity } from '../../clients/sdk/messenger';
import { loadConfig } from '../../src/config/loadConfig';
import { createConversation } from '../../src/relay/conversations';
import { openNodeServices } from '../../src/runtime/node/openServices';
import type { ApiClient } from '../../tests/support/apiClient';
import { enrolWithLink, type Person } from '../../tests/support/people';
import { startChildServer, type ChildServer } from './childServer';
import { freePort } from './childWorker';

export type PairDevice = DeviceIdentity & { person: Person; client: ApiClient };

export interface DeliveryPair {
  conversationId: string;
  sender: PairDevice;
  receiver: PairDevice;
}

/** Limits raised out of the way (as in relayTargets.ts): the benchmark measures the relay, not its rate limiting. */
const LIMITS = {
  EXIGENT_SEND_RATE_PER_MINUTE: '100000000',
  EXIGENT_DEVICE_QUEUE_MAX: '100000000',
  EXIGENT_AUTH_RATE_LIMIT: '100000',
  EXIGENT_CHECKPOINT_SECONDS: '2',
};

export async function startDeliveryServer(): Promise<ChildServer> {
  return startChildServer({ port: await freePort(), env: LIMITS });
}

/** Runs `work` over `items` with at most `width` at a time, keeping order. */
async function inBatches<T, R>(items: T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map((item, j) => work(item, i + j)))));
  return results;
}

export async function enrolPairs(server: ChildServer, pairs: number): Promise<DeliveryPair[]> {
  const admin = await enrolWithLink(server.url, server.firstAdminUrl!, { email: 'bench@exigent.test', displayName: 'Bench' }, server.origin);
  const post = async (path: string, body: unknown) => {
    const res = await admin.client.post(path, body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  await post('/api/v1/countries', { code: 'UA', name: 'Ukraine' });
  await post('/api/v1/countries', { code: 'PL', name: 'Poland' });
  const ua = (await post('/api/v1/agencies', { name: 'Police UA', countryCode: 'UA', kind: 'police', dutyEmail: null })).id as string;
  const pl = (await post('/api/v1/agencies', { name: 'Police PL', countryCode: 'PL', kind: 'police', dutyEmail: null })).id as string;
  const enrolDevice = async (email: string, agencyId: string): Promise<PairDevice> => {
    const invitation = await post('/api/v1/invitations', { email, displayName: email, role: 'investigator', agencyId });
    const person = await enrolWithLink(server.url, invitation.url, {}, server.origin);
    const api = new Api({ baseUrl: person.client.baseUrl, fetch: person.client.fetch });
    const device = await Messenger.registerDevice(api, { userId: person.user.id, name: 'bench', keys: await generateDeviceKeys() });
    return { ...device, person, client: person.client };
  };
  const people = await inBatches(
    Array.from({ length: pairs }, (_, p) => p),
    5,
    async (p) => [await enrolDevice(`sender${p}@police.ua`, ua), await enrolDevice(`receiver${p}@police.pl`, pl)] as const,
  );
  // Conversations are opened by the urgent-contact workflow; here the domain function does it on the same database
  // (SQLite in WAL mode takes a second writer).
  const config = loadConfig({ EXIGENT_DB: server.dbPath, EXIGENT_LOG_KEY: join(server.dir, 'log-signing.key') });
  const services = await openNodeServices(config, { logger: pino({ level: 'silent' }) });
  try {
    const result: DeliveryPair[] = [];
    for (const [sender, receiver] of people) {
      result.push({ conversationId: await createConversation(services, { memberUserIds: [sender.userId, receiver.userId] }), sender, receiver });
    }
    return result;
  } finally {
    services.database.close();
  }
}
