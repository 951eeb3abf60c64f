/**
 * @module The mixed load shared by the chaos and soak benchmarks: an investigator sends E2E messages fanned out to
 * two devices of a foreign colleague (over HTTP, and over her device's stream with `send` frames) and opens urgent
 * contacts, an NCB officer acknowledges, the two recipient
 * devices fetch, verify, decrypt and acknowledge. Every worker survives the server going away and records what
 * the server acknowledged, so the benchmark can check it afterwards.
 */
import { Api } from '../../clients/sdk/api';
import { b64, encodeContent, generateDeviceKeys, openEnvelope, sealEnvelope, sodiumReady } from '../../clients/sdk/crypto';
import { Messenger, type DeviceIdentity, type QueuedEnvelope, type SocketLike } from '../../clients/sdk/messenger';
import type { EnvelopeV1 } from '../../clients/sdk/crypto';
import WebSocket from 'ws';
import type { ApiClient } from '../../tests/support/apiClient';
import { enrolWithLink, login, type Person } from '../../tests/support/people';
import { draftFor } from '../../tests/support/urgent';
import type { ChildServer } from './childServer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** No HTTP answer at all (the server is down), as opposed to an HTTP error status. */
export const isDown = (error: unknown) => error instanceof TypeError || /fetch failed|ECONNREFUSED|socket/i.test(String((error as Error)?.message));

type Device = DeviceIdentity & { client: ApiClient };

/** The sender's device stream while it is open: the answers awaited, by request id (undefined: the socket closed). */
interface StreamLink {
  socket: SocketLike;
  pending: Map<string, (answer: { type: string } | undefined) => void>;
}

export interface Scenario {
  admin: Person;
  anna: Person;
  piotr: Person;
  ncb: Person;
  sender: Device;
  recipients: Device[];
  conversationId: string;
  firstContactId: string;
}

export async function prepareScenario(server: ChildServer): Promise<Scenario> {
  await sodiumReady();
  const admin = await enrolWithLink(server.url, server.firstAdminUrl!, { email: 'bench@exigent.test', displayName: 'Bench Admin' }, server.origin);
  const post = async (client: ApiClient, path: string, body?: unknown) => {
    const res = await client.post(path, body);
    if (res.status >= 300) throw new Error(`${path}: ${res.text}`);
    return res.body;
  };
  await post(admin.client, '/api/v1/countries', { code: 'UA', name: 'Ukraine' });
  await post(admin.client, '/api/v1/countries', { code: 'PL', name: 'Poland' });
  const agency = async (name: string, countryCode: string, kind: string) =>
    (await post(admin.client, '/api/v1/agencies', { name, countryCode, kind, dutyEmail: kind === 'ncb' ? `duty@${countryCode.toLowerCase()}.test` : null })).id as string;
  const [ua, pl, ncbUa] = [await agency('Police UA', 'UA', 'police'), await agency('Police PL', 'PL', 'police'), await agency('NCB UA', 'UA', 'ncb')];
  await agency('NCB PL', 'PL', 'ncb');
  const invite = async (email: string, role: string, agencyId: string): Promise<Person> =>
    enrolWithLink(server.url, (await post(admin.client, '/api/v1/invitations', { email, displayName: email, role, agencyId })).url, {}, server.origin);
  const anna = await invite('anna@police.ua', 'investigator', ua);
  const piotr = await invite('piotr@police.pl', 'investigator', pl);
  const ncb = await invite('officer@ncb.ua', 'ncb_officer', ncbUa);
  const register = async (person: Person, client: ApiClient): Promise<Device> => ({
    ...(await Messenger.registerDevice(new Api({ baseUrl: client.baseUrl, fetch: client.fetch }), { userId: person.user.id, name: 'bench', keys: await generateDeviceKeys() })),
    client,
  });
  const sender = await register(anna, anna.client);
  const recipients = [await register(piotr, piotr.client), await register(piotr, await login(piotr))];
  const prepared = await post(anna.client, '/api/v1/urgent-contacts/options', draftFor(piotr));
  const first = await post(anna.client, '/api/v1/urgent-contacts', { challengeId: prepared.challengeId, response: await anna.authenticator.getAssertion(prepared.options) });
  return { admin, anna, piotr, ncb, sender, recipients, conversationId: first.conversationId, firstContactId: first.id };
}

export class MixedLoad {
  readonly ackedMessages = new Set<string>();
  readonly ackedContacts = new Set<string>();
  /** Per recipient device: message id → every queue seq it arrived under. */
  readonly received: Array<Map<string, Set<number>>>;
  /** The same seq handed out again after a crash (at-least-once transport, deduplicated by the client). */
  redeliveries = 0;
  /** Messages the server acknowledged with a `sent` frame on the sender's stream (also in ackedMessages). */
  ackedOverStream = 0;
  private stream: Promise<StreamLink | undefined> | undefined;
  private frames = 0;
  /** Successful requests, for throughput over time. */
  completed = 0;
  serverUp = true;
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(private readonly s: Scenario) {
    this.received = s.recipients.map(() => new Map());
    this.ackedContacts.add(s.firstContactId);
  }

  start(): void {
    this.running = true;
    const loop = async (work: () => Promise<unknown>, pauseMs: number) => {
      while (this.running) {
        if (this.serverUp) await work();
        await sleep(pauseMs);
      }
    };
    this.workers = [
      loop(() => this.send(), 2),
      loop(() => this.send(), 2),
      loop(() => this.send(), 2),
      // Two senders on one socket: their frames are in flight together.
      loop(() => this.sendOverStream(), 2),
      loop(() => this.sendOverStream(), 2),
      loop(() => this.openContact(), 20),
      loop(() => this.acknowledgeSome(), 50),
      ...this.s.recipients.map((_, i) => loop(() => this.fetchFor(i), 10)),
    ];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    (await this.stream)?.socket.close();
  }

  private seal(): Promise<EnvelopeV1> {
    const { s } = this;
    return sealEnvelope({
      conversationId: s.conversationId,
      sender: { deviceId: s.sender.deviceId, keys: s.sender.keys },
      recipients: s.recipients.map((r) => ({ deviceId: r.deviceId, agreementKey: b64(r.keys.agreementPublic) })),
      plaintext: encodeContent({ type: 'text', text: 'mixed load' }),
    });
  }

  async send(): Promise<void> {
    await this.postUntilAnswered(await this.seal());
  }

  /**
   * Sends over the sender's stream; only a `sent` frame counts as acknowledged. A socket that closes first leaves the
   * outcome unknown, so the envelope is posted again over HTTP (idempotent by message id), as the SDK does.
   */
  async sendOverStream(): Promise<void> {
    const envelope = await this.seal();
    const link = await (this.stream ??= this.openStream());
    if (!link) return this.postUntilAnswered(envelope);
    const id = `c${++this.frames}`;
    const answer = await new Promise<{ type: string } | undefined>((resolve) => {
      link.pending.set(id, resolve);
      try {
        link.socket.send(JSON.stringify({ type: 'send', id, conversationId: this.s.conversationId, envelope }));
      } catch {
        link.pending.delete(id);
        resolve(undefined);
      }
    });
    if (answer?.type === 'sent') {
      this.ackedMessages.add(envelope.messageId);
      this.ackedOverStream++;
      this.completed++;
    } else if (answer === undefined) await this.postUntilAnswered(envelope);
  }

  /** Opens the sender device's stream; resolves once it is ready, or with undefined if it closes first. */
  private openStream(): Promise<StreamLink | undefined> {
    const { s } = this;
    const opening = new Promise<StreamLink | undefined>((resolve) => {
      const url = `${s.anna.client.baseUrl.replace(/^http/, 'ws')}/api/v1/devices/${s.sender.deviceId}/stream`;
      const socket = new WebSocket(url, { headers: s.anna.client.socketHeaders() }) as unknown as SocketLike;
      const link: StreamLink = { socket, pending: new Map() };
      link.socket.onmessage = (event) => {
        const frame = JSON.parse(String(event.data)) as { type: string; id?: string };
        if (frame.type === 'ready') resolve(link);
        const settle = frame.id === undefined ? undefined : link.pending.get(frame.id);
        if (settle && (frame.type === 'sent' || frame.type === 'error')) {
          link.pending.delete(frame.id!);
          settle(frame);
        }
      };
      link.socket.onerror = () => undefined;
      link.socket.onclose = () => {
        // The next send opens a new stream.
        if (this.stream === opening) this.stream = undefined;
        resolve(undefined);
        for (const settle of link.pending.values()) settle(undefined);
        link.pending.clear();
      };
    });
    return opening;
  }

  /** Posts over HTTP until the server answers. */
  private async postUntilAnswered(envelope: EnvelopeV1): Promise<void> {
    const { s } = this;
    // Retried with the same message id until the server answers: idempotency makes that safe.
    for (;;) {
      try {
        const res = await s.anna.client.post(`/api/v1/conversations/${s.conversationId}/messages`, envelope);
        if (res.status === 200 || res.status === 201) {
          this.ackedMessages.add(envelope.messageId);
          this.completed++;
        }
        return;
      } catch (error) {
        if (!isDown(error) || !this.running) return;
        await sleep(100);
      }
    }
  }

  async openContact(): Promise<void> {
    const { s } = this;
    try {
      const prepared = await s.anna.client.post('/api/v1/urgent-contacts/options', draftFor(s.piotr, { caseReference: `LOAD-${Date.now()}` }));
      if (prepared.status !== 200) return;
      const response = await s.anna.authenticator.getAssertion(prepared.body.options);
      const opened = await s.anna.client.post('/api/v1/urgent-contacts', { challengeId: prepared.body.challengeId, response });
      if (opened.status === 201) {
        this.ackedContacts.add(opened.body.id);
        this.completed += 2;
      }
    } catch (error) {
      if (!isDown(error)) throw error;
    }
  }

  async acknowledgeSome(): Promise<void> {
    try {
      const inbox = await this.s.ncb.client.get('/api/v1/ncb/notifications?pending=true');
      this.completed++;
      for (const n of (inbox.body?.notifications ?? []).slice(0, 3)) {
        if ((await this.s.ncb.client.post(`/api/v1/ncb/notifications/${n.id}/acknowledge`)).status === 200) this.completed++;
      }
    } catch (error) {
      if (!isDown(error)) throw error;
    }
  }

  /** One fetch-verify-decrypt-acknowledge round for a recipient device; returns how many envelopes it handled. */
  async fetchFor(index: number): Promise<number> {
    const { s } = this;
    const device = s.recipients[index]!;
    try {
      const res = await device.client.get(`/api/v1/devices/${device.deviceId}/queue?limit=200`);
      if (res.status !== 200) return 0;
      this.completed++;
      const envelopes = res.body.envelopes as QueuedEnvelope[];
      for (const queued of envelopes) {
        // Verified and decrypted like a real client would: a corrupted envelope fails here.
        await openEnvelope({
          envelope: queued.envelope,
          expectedConversationId: s.conversationId,
          me: { deviceId: device.deviceId, keys: device.keys },
          lookupSender: () => ({ deviceId: s.sender.deviceId, userId: s.anna.user.id, identityKey: b64(s.sender.keys.identityPublic) }),
        });
        const seqs = this.received[index]!.get(queued.messageId) ?? new Set<number>();
        if (seqs.has(queued.seq)) this.redeliveries++;
        seqs.add(queued.seq);
        this.received[index]!.set(queued.messageId, seqs);
      }
      if (envelopes.length) await device.client.post(`/api/v1/devices/${device.deviceId}/acks`, { seqs: envelopes.map((e) => e.seq) });
      return envelopes.length;
    } catch (error) {
      if (!isDown(error)) throw error;
      return 0;
    }
  }
}
