/**
 * @module End-to-end messaging for one device: registers its keys, encrypts for every member device of a
 * conversation, sends over the device's WebSocket when it is open (HTTP otherwise), receives over it or by cursor,
 * verifies before decrypting, acknowledges, and warns when a member's device keys change. The server only ever sees
 * envelopes.
 */
import { ApiProblem, type Api } from './api';
import {
  decodeContent,
  decryptAttachment,
  encodeContent,
  encryptAttachment,
  EnvelopeError,
  KeyTracker,
  openEnvelope,
  sealEnvelope,
  signDeviceRegistration,
  verifyDeviceRegistration,
  type AttachmentRef,
  type DeviceKeyPair,
  type EnvelopeRejection,
  type EnvelopeV1,
  type KeyChange,
  type MessageContent,
  type SenderDevice,
} from './crypto';

export interface DeviceIdentity {
  deviceId: string;
  userId: string;
  keys: DeviceKeyPair;
}

export interface DeviceRecord {
  id: string;
  name: string;
  identityKey: string;
  agreementKey: string;
  registrationSignature: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface ConversationRecord {
  id: string;
  status: 'open' | 'closed';
  createdAt: number;
  closedAt: number | null;
  members: Array<{ userId: string; displayName: string; countryCode: string | null; devices: DeviceRecord[] }>;
}

export interface QueuedEnvelope {
  seq: number;
  messageId: string;
  conversationId: string;
  senderUserId: string;
  receivedAt: number;
  envelope: EnvelopeV1;
}

export interface ReceivedMessage {
  seq: number;
  messageId: string;
  conversationId: string;
  senderUserId: string;
  senderDeviceId: string;
  sentAt: number;
  receivedAt: number;
  content: MessageContent;
}

export interface RejectedEnvelope {
  seq: number;
  messageId: string;
  reason: EnvelopeRejection;
  detail: string;
}

export interface PostedEnvelope {
  messageId: string;
  receivedAt: number;
  recipientDeviceIds: string[];
  duplicate: boolean;
}

/** The browser WebSocket surface the SDK needs; Node callers wrap the `ws` package to add cookie and Origin. */
export interface SocketLike {
  send(data: string): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface StreamHandlers {
  onMessage?(message: ReceivedMessage): void;
  onReceipt?(receipt: { messageId: string; deviceId: string; deliveredAt: number }): void;
  onRejected?(rejected: RejectedEnvelope): void;
  onKeyChange?(change: KeyChange): void;
}

export interface SeenStore {
  has(messageId: string): boolean;
  add(messageId: string): void;
}

/** A send awaiting its answer on the stream; re-posted over HTTP if the stream closes first (idempotent by message id). */
interface PendingSend {
  conversationId: string;
  envelope: EnvelopeV1;
  resolve(posted: PostedEnvelope): void;
  reject(error: unknown): void;
}

/** The device's stream once it is ready: the socket, the frame limit it announced, the sends it has not answered. */
interface OpenStream {
  socket: SocketLike;
  maxFrameBytes: number;
  pending: Map<string, PendingSend>;
}

/** The server's default frame limit (EXIGENT_MAX_FRAME_KB), for a server that does not announce its own. */
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024;
const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Messenger {
  readonly keyTracker: KeyTracker;
  private readonly seen: SeenStore;
  private readonly conversations = new Map<string, { record: ConversationRecord; changes: KeyChange[] }>();
  /** Set while a stream opened by {@link connect} is ready; sends go over it. */
  private stream: OpenStream | undefined;
  private sendCounter = 0;

  constructor(
    readonly api: Api,
    readonly device: DeviceIdentity,
    options: { keyTracker?: KeyTracker; seen?: SeenStore; openSocket?: (url: string) => SocketLike } = {},
  ) {
    this.keyTracker = options.keyTracker ?? new KeyTracker();
    this.seen = options.seen ?? new Set<string>();
    this.openSocket = options.openSocket;
  }

  private readonly openSocket: ((url: string) => SocketLike) | undefined;

  /** Registers a device's public keys for the signed-in user, signed by the device's identity key. */
  static async registerDevice(api: Api, input: { userId: string; name: string; keys: DeviceKeyPair }): Promise<DeviceIdentity> {
    const signed = await signDeviceRegistration(input.keys, input.userId);
    const device = await api.post<DeviceRecord>('/devices', { name: input.name, ...signed });
    return { deviceId: device.id, userId: input.userId, keys: input.keys };
  }

  /**
   * Fetches a conversation's members and device keys. Devices whose registration signature does not verify are
   * dropped (never encrypted to); key-set changes since last time are returned as warnings.
   */
  async conversation(conversationId: string, handlers: Pick<StreamHandlers, 'onKeyChange'> = {}): Promise<{ record: ConversationRecord; changes: KeyChange[] }> {
    const record = await this.api.get<ConversationRecord>(`/conversations/${encodeURIComponent(conversationId)}`);
    const members = [];
    for (const member of record.members) {
      const devices = [];
      for (const device of member.devices) {
        const genuine = await verifyDeviceRegistration({
          userId: member.userId,
          identityKey: device.identityKey,
          agreementKey: device.agreementKey,
          signature: device.registrationSignature,
        });
        if (genuine) devices.push(device);
      }
      members.push({ ...member, devices });
    }
    const verified = { ...record, members };
    const changes: KeyChange[] = [];
    for (const member of verified.members) {
      const change = this.keyTracker.observe(
        member.userId,
        member.devices.filter((d) => d.revokedAt === null).map((d) => d.identityKey),
      );
      if (change) {
        changes.push(change);
        handlers.onKeyChange?.(change);
      }
    }
    const entry = { record: verified, changes };
    this.conversations.set(conversationId, entry);
    return entry;
  }

  private async cachedConversation(conversationId: string): Promise<ConversationRecord> {
    return (this.conversations.get(conversationId) ?? (await this.conversation(conversationId))).record;
  }

  /** Encrypts and posts; if the server says the device list is stale, refreshes it once and retries with the same id. */
  async send(conversationId: string, content: MessageContent, options: { messageId?: string } = {}): Promise<PostedEnvelope> {
    const plaintext = encodeContent(content);
    let record = await this.cachedConversation(conversationId);
    let envelope = await this.seal(record, plaintext, options.messageId);
    try {
      return await this.post(conversationId, envelope);
    } catch (error) {
      if (!(error instanceof ApiProblem && error.concerns('keys'))) throw error;
      record = (await this.conversation(conversationId)).record;
      envelope = await this.seal(record, plaintext, envelope.messageId);
      return this.post(conversationId, envelope);
    }
  }

  sendText(conversationId: string, text: string, attachments?: AttachmentRef[]): Promise<PostedEnvelope> {
    return this.send(conversationId, attachments?.length ? { type: 'text', text, attachments } : { type: 'text', text });
  }

  /** A read receipt is itself an E2E message: the server cannot tell it from any other. */
  markRead(conversationId: string, messageIds: string[]): Promise<PostedEnvelope> {
    return this.send(conversationId, { type: 'read', messageIds });
  }

  private async seal(record: ConversationRecord, plaintext: Uint8Array, messageId?: string): Promise<EnvelopeV1> {
    const recipients = record.members
      .flatMap((m) => m.devices)
      .filter((d) => d.revokedAt === null && d.id !== this.device.deviceId)
      .map((d) => ({ deviceId: d.id, agreementKey: d.agreementKey }));
    return sealEnvelope({
      conversationId: record.id,
      sender: { deviceId: this.device.deviceId, keys: this.device.keys },
      recipients,
      plaintext,
      ...(messageId ? { messageId } : {}),
    });
  }

  /** Over the open stream when there is one and the envelope fits in a frame; over HTTP otherwise. */
  private post(conversationId: string, envelope: EnvelopeV1): Promise<PostedEnvelope> {
    const stream = this.stream;
    if (!stream) return this.postOverHttp(conversationId, envelope);
    const id = `s${++this.sendCounter}`;
    const frame = JSON.stringify({ type: 'send', id, conversationId, envelope });
    if (encoder.encode(frame).byteLength > stream.maxFrameBytes) return this.postOverHttp(conversationId, envelope);
    return new Promise((resolve, reject) => {
      stream.pending.set(id, { conversationId, envelope, resolve, reject });
      try {
        stream.socket.send(frame);
      } catch {
        // The socket closed under us: its close handler re-posts what is pending, this one included.
      }
    });
  }

  private postOverHttp(conversationId: string, envelope: EnvelopeV1): Promise<PostedEnvelope> {
    return this.api.post<PostedEnvelope>(`/conversations/${encodeURIComponent(conversationId)}/messages`, envelope);
  }

  /** Settles a send the stream answered: `sent` with the stored message, `error` with the problem HTTP would give. */
  private answered(stream: OpenStream, frame: { id?: unknown; problem?: unknown } & Record<string, unknown>): void {
    const pending = typeof frame.id === 'string' ? stream.pending.get(frame.id) : undefined;
    if (!pending) return;
    stream.pending.delete(frame.id as string);
    if (frame.type === 'sent') {
      const { messageId, receivedAt, recipientDeviceIds, duplicate } = frame as unknown as PostedEnvelope;
      pending.resolve({ messageId, receivedAt, recipientDeviceIds, duplicate });
    } else pending.reject(new ApiProblem(frame.problem as ConstructorParameters<typeof ApiProblem>[0]));
  }

  /** The stream closed with sends unanswered: each may or may not have been stored, so each is posted again over HTTP. */
  private resendOverHttp(stream: OpenStream): void {
    if (this.stream === stream) this.stream = undefined;
    for (const { conversationId, envelope, resolve, reject } of stream.pending.values()) {
      // A 409 may be the stream's own copy committing while this one was checked: once it has, a retry says `duplicate`.
      const retry = (error: unknown) =>
        error instanceof ApiProblem && error.status === 409 ? sleep(250).then(() => this.postOverHttp(conversationId, envelope)) : Promise.reject(error);
      this.postOverHttp(conversationId, envelope).catch(retry).then(resolve, reject);
    }
    stream.pending.clear();
  }

  async uploadAttachment(conversationId: string, file: { data: Uint8Array; name: string; mediaType: string }): Promise<AttachmentRef> {
    const { key, blob, digest } = await encryptAttachment(file.data);
    const stored = await this.api.post<{ id: string }>(`/conversations/${encodeURIComponent(conversationId)}/attachments`, blob);
    return { blobId: stored.id, key, digest, name: file.name, mediaType: file.mediaType, size: file.data.byteLength };
  }

  async downloadAttachment(ref: AttachmentRef): Promise<Uint8Array> {
    const blob = await this.api.get<Uint8Array>(`/attachments/${encodeURIComponent(ref.blobId)}`);
    return decryptAttachment(blob, ref.key, ref.digest);
  }

  receipts(messageId: string) {
    return this.api.get<{ messageId: string; recipientCount: number; delivered: Array<{ deviceId: string; deliveredAt: number }> }>(
      `/messages/${encodeURIComponent(messageId)}/receipts`,
    );
  }

  /** Verifies and decrypts one queued envelope; throws EnvelopeError with the reason when it must be refused. */
  async receive(queued: QueuedEnvelope): Promise<ReceivedMessage> {
    const lookup = (record: ConversationRecord) => (deviceId: string): SenderDevice | undefined => {
      for (const member of record.members) {
        const device = member.devices.find((d) => d.id === deviceId);
        if (device) return { deviceId, userId: member.userId, identityKey: device.identityKey, revoked: device.revokedAt !== null };
      }
      return undefined;
    };
    let record = await this.cachedConversation(queued.conversationId);
    // A sender we do not know yet may have registered a device since we last looked: refresh once.
    if (!lookup(record)(queued.envelope.senderDeviceId)) record = (await this.conversation(queued.conversationId)).record;
    const { envelope, sender, plaintext } = await openEnvelope({
      envelope: queued.envelope,
      expectedConversationId: queued.conversationId,
      me: { deviceId: this.device.deviceId, keys: this.device.keys },
      lookupSender: lookup(record),
      seen: this.seen,
    });
    return {
      seq: queued.seq,
      messageId: envelope.messageId,
      conversationId: envelope.conversationId,
      senderUserId: sender.userId,
      senderDeviceId: sender.deviceId,
      sentAt: envelope.sentAt,
      receivedAt: queued.receivedAt,
      content: decodeContent(plaintext),
    };
  }

  private async receiveOrReject(queued: QueuedEnvelope): Promise<ReceivedMessage | RejectedEnvelope> {
    try {
      return await this.receive(queued);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      return { seq: queued.seq, messageId: queued.messageId, reason: error.reason, detail: error.message };
    }
  }

  /**
   * Catches up after being offline: fetches every queued envelope, opens it, and acknowledges it (refused ones
   * too, so a forged envelope cannot clog the queue).
   */
  async sync(): Promise<{ messages: ReceivedMessage[]; rejected: RejectedEnvelope[] }> {
    const messages: ReceivedMessage[] = [];
    const rejected: RejectedEnvelope[] = [];
    const base = `/devices/${encodeURIComponent(this.device.deviceId)}`;
    for (;;) {
      const { envelopes } = await this.api.get<{ envelopes: QueuedEnvelope[] }>(`${base}/queue?limit=200`);
      if (envelopes.length === 0) break;
      for (const queued of envelopes) {
        const outcome = await this.receiveOrReject(queued);
        if ('reason' in outcome) rejected.push(outcome);
        else messages.push(outcome);
      }
      await this.api.post(`${base}/acks`, { seqs: envelopes.map((e) => e.seq) });
    }
    return { messages, rejected };
  }

  /**
   * Opens the live stream: the server first replays the queue, then pushes new envelopes and receipts. Each
   * envelope is acknowledged once handled. `ready` resolves when the backlog has been sent; from then until it
   * closes, {@link send} goes over this stream (sends unanswered when it closes are posted again over HTTP).
   */
  connect(handlers: StreamHandlers): { ready: Promise<void>; closed: Promise<void>; close(): void } {
    if (!this.openSocket) throw new Error('Messenger was created without openSocket');
    const url = this.api.url(`/devices/${encodeURIComponent(this.device.deviceId)}/stream`).replace(/^http/, 'ws');
    const socket = this.openSocket(url);
    let chain = Promise.resolve();
    let resolveReady!: () => void;
    let rejectReady!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    let open: OpenStream | undefined;
    let ended = false;
    const closed = new Promise<void>((resolve) => {
      socket.onclose = () => {
        ended = true;
        rejectReady(new Error('the stream closed before it was ready'));
        if (open) this.resendOverHttp(open);
        resolve();
      };
    });
    socket.onerror = () => rejectReady(new Error('the stream could not be opened'));
    socket.onmessage = (event) => {
      const data = JSON.parse(String(event.data)) as { type: string } & Record<string, unknown>;
      // Answers to sends settle at once: they need not wait behind envelopes being decrypted.
      if ((data.type === 'sent' || data.type === 'error') && open && typeof data.id === 'string') return this.answered(open, data);
      // Envelopes are handled strictly in order, so acknowledgements and callbacks follow the queue.
      chain = chain.then(async () => {
        if (data.type === 'ready') {
          const maxFrameBytes = typeof data.maxFrameBytes === 'number' ? data.maxFrameBytes : DEFAULT_MAX_FRAME_BYTES;
          // The latest stream opened carries the sends; an earlier one still open keeps its pending answers.
          open = this.stream = { socket, maxFrameBytes, pending: new Map() };
          resolveReady();
        }
        else if (data.type === 'receipt') handlers.onReceipt?.(data as never);
        else if (data.type === 'envelope') {
          const queued = data as unknown as QueuedEnvelope;
          const outcome = await this.receiveOrReject(queued);
          if ('reason' in outcome) handlers.onRejected?.(outcome);
          else handlers.onMessage?.(outcome);
          // A stream that ended while the envelope was being opened cannot carry its acknowledgement (some sockets
          // throw); the server keeps the copy queued and hands it out again, and the seen-id check drops the repeat.
          if (!ended) socket.send(JSON.stringify({ type: 'ack', seqs: [queued.seq] }));
        }
      });
    };
    return {
      ready,
      closed,
      close: () => {
        // Sends stop using this stream at once; those it has not answered are re-posted over HTTP when it closes.
        if (open && this.stream === open) this.stream = undefined;
        ended = true;
        socket.close();
      },
    };
  }
}
