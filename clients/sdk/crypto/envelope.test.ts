// Envelope v1: sealing for several devices, opening, and every reason a recipient refuses an envelope.
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeContent, encodeContent } from './content';
import { generateDeviceKeys, type DeviceKeyPair } from './deviceKeys';
import { openEnvelope, sealEnvelope, signedBytes, type EnvelopeV1, type SenderDevice } from './envelope';
import { b64, sodiumReady, unb64 } from './sodium';

interface Device {
  deviceId: string;
  userId: string;
  keys: DeviceKeyPair;
}

async function device(deviceId: string, userId: string): Promise<Device> {
  return { deviceId, userId, keys: await generateDeviceKeys() };
}

const asRecipient = (d: Device) => ({ deviceId: d.deviceId, agreementKey: b64(d.keys.agreementPublic) });
const asSender = (d: Device): SenderDevice => ({ deviceId: d.deviceId, userId: d.userId, identityKey: b64(d.keys.identityPublic) });

const CONVERSATION = 'conv-1';
let alice1: Device, alice2: Device, bob: Device, carol: Device, mallory: Device;
let directory: Map<string, SenderDevice>;
let sodium: Awaited<ReturnType<typeof sodiumReady>>;

beforeAll(async () => {
  sodium = await sodiumReady();
  [alice1, alice2, bob, carol, mallory] = await Promise.all([
    device('dev-alice-1', 'alice'),
    device('dev-alice-2', 'alice'),
    device('dev-bob', 'bob'),
    device('dev-carol', 'carol'),
    device('dev-mallory', 'mallory'),
  ]);
  directory = new Map([alice1, alice2, bob, carol].map((d) => [d.deviceId, asSender(d)]));
});

function seal(plaintext = encodeContent({ type: 'text', text: 'meet at 10' })): Promise<EnvelopeV1> {
  return sealEnvelope({
    conversationId: CONVERSATION,
    sender: { deviceId: alice1.deviceId, keys: alice1.keys },
    recipients: [bob, carol, alice2].map(asRecipient),
    plaintext,
  });
}

function open(envelope: unknown, me: Device, options: { lookup?: (id: string) => SenderDevice | undefined; seen?: Set<string> } = {}) {
  return openEnvelope({
    envelope,
    expectedConversationId: CONVERSATION,
    me: { deviceId: me.deviceId, keys: me.keys },
    lookupSender: options.lookup ?? ((id) => directory.get(id)),
    ...(options.seen ? { seen: options.seen } : {}),
  });
}

/** What a sender (or anyone holding its key) would produce after changing fields: a valid signature over the change. */
function resign(envelope: EnvelopeV1, keys: DeviceKeyPair, changes: Partial<EnvelopeV1>): EnvelopeV1 {
  const { signature: _, ...unsigned } = { ...envelope, ...changes };
  return { ...unsigned, signature: b64(sodium.crypto_sign_detached(signedBytes(unsigned), keys.identitySecret)) };
}

function flipByte(text: string, index = 0): string {
  const bytes = unb64(text);
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return b64(bytes);
}

describe('sealEnvelope and openEnvelope', () => {
  it('delivers to two recipients and the sender’s second device', async () => {
    const envelope = await seal();
    expect(envelope.keys.map((k) => k.deviceId)).toEqual(['dev-alice-2', 'dev-bob', 'dev-carol']);
    expect(unb64(envelope.messageId)).toHaveLength(16);
    expect(unb64(envelope.nonce)).toHaveLength(24);
    for (const me of [bob, carol, alice2]) {
      const opened = await open(JSON.parse(JSON.stringify(envelope)), me);
      expect(decodeContent(opened.plaintext)).toEqual({ type: 'text', text: 'meet at 10' });
      expect(opened.sender.userId).toBe('alice');
      expect(opened.envelope).toEqual(envelope);
    }
  });

  it('wraps once per device even if a recipient is listed twice', async () => {
    const envelope = await sealEnvelope({
      conversationId: CONVERSATION,
      sender: { deviceId: alice1.deviceId, keys: alice1.keys },
      recipients: [bob, bob, carol].map(asRecipient),
      plaintext: new Uint8Array([1]),
    });
    expect(envelope.keys.map((k) => k.deviceId)).toEqual(['dev-bob', 'dev-carol']);
  });

  it('refuses to seal for no recipients or for one device listed with two keys', async () => {
    const base = { conversationId: CONVERSATION, sender: { deviceId: alice1.deviceId, keys: alice1.keys }, plaintext: new Uint8Array([1]) };
    await expect(sealEnvelope({ ...base, recipients: [] })).rejects.toThrow(/at least one recipient/);
    const impostor = { deviceId: bob.deviceId, agreementKey: b64(mallory.keys.agreementPublic) };
    await expect(sealEnvelope({ ...base, recipients: [asRecipient(bob), impostor] })).rejects.toThrow(/two different keys/);
  });

  it('leaks nothing of a 1 KiB plaintext into the serialized envelope', async () => {
    const marker = 'UNIQUE-MARKER-7f3a9c';
    const text = marker.repeat(Math.ceil(1024 / marker.length)).slice(0, 1024);
    const plaintext = new TextEncoder().encode(text);
    expect(plaintext).toHaveLength(1024);
    const wire = JSON.stringify(await seal(plaintext));
    expect(wire).not.toContain(marker);
    expect(wire).not.toContain(b64(plaintext.subarray(0, 30)));
    const opened = await open(JSON.parse(wire), bob);
    expect(new TextDecoder().decode(opened.plaintext)).toBe(text);
  });
});

describe('openEnvelope rejections', () => {
  it.each([
    ['a string', 'hello'],
    ['null', null],
    ['an array', []],
    ['an empty object', {}],
  ])('rejects %s as malformed', async (_, garbage) => {
    await expect(open(garbage, bob)).rejects.toMatchObject({ name: 'EnvelopeError', reason: 'malformed' });
  });

  it.each<[string, (e: EnvelopeV1) => unknown]>([
    ['an unknown field', (e) => ({ ...e, extra: 1 })],
    ['a missing signature', ({ signature: _, ...rest }) => rest],
    ['a 23-byte nonce', (e) => ({ ...e, nonce: b64(new Uint8Array(23)) })],
    ['a 15-byte message id', (e) => ({ ...e, messageId: b64(new Uint8Array(15)) })],
    ['padded base64', (e) => ({ ...e, nonce: `${e.nonce}=` })],
    ['standard-alphabet base64', (e) => ({ ...e, ciphertext: `${e.ciphertext.slice(0, -4)}+/+/` })],
    ['a fractional sentAt', (e) => ({ ...e, sentAt: 1.5 })],
    ['unsorted keys', (e) => ({ ...e, keys: [...e.keys].reverse() })],
    ['duplicate keys', (e) => ({ ...e, keys: [e.keys[0], e.keys[0]] })],
    ['no keys', (e) => ({ ...e, keys: [] })],
  ])('rejects an envelope with %s as malformed', async (_, change) => {
    await expect(open(change(await seal()), bob)).rejects.toMatchObject({ reason: 'malformed' });
  });

  it('rejects another version as unsupported', async () => {
    await expect(open({ ...(await seal()), v: 2 }, bob)).rejects.toMatchObject({ reason: 'unsupported_version' });
  });

  it('rejects an envelope signed for another conversation', async () => {
    const moved = resign(await seal(), alice1.keys, { conversationId: 'conv-2' });
    await expect(open(moved, bob)).rejects.toMatchObject({ reason: 'wrong_conversation' });
  });

  it('rejects unknown and revoked senders', async () => {
    const envelope = await seal();
    await expect(open(envelope, bob, { lookup: () => undefined })).rejects.toMatchObject({ reason: 'unknown_sender' });
    const revoked = (id: string) => ({ ...asSender(alice1), deviceId: id, revoked: true });
    await expect(open(envelope, bob, { lookup: revoked })).rejects.toMatchObject({ reason: 'revoked_sender' });
  });

  it('checks the signature before decrypting: a flipped ciphertext byte is bad_signature, not decrypt_failed', async () => {
    const envelope = await seal();
    await expect(open({ ...envelope, ciphertext: flipByte(envelope.ciphertext) }, bob)).rejects.toMatchObject({ reason: 'bad_signature' });
    const keys = envelope.keys.map((k) => (k.deviceId === bob.deviceId ? { ...k, wrapped: flipByte(k.wrapped) } : k));
    await expect(open({ ...envelope, keys }, bob)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it.each<[string, (e: EnvelopeV1) => Partial<EnvelopeV1>]>([
    ['sentAt', (e) => ({ sentAt: e.sentAt + 1 })],
    ['messageId', () => ({ messageId: b64(new Uint8Array(16)) })],
    ['nonce', (e) => ({ nonce: flipByte(e.nonce) })],
    ['senderDeviceId', () => ({ senderDeviceId: alice2.deviceId })],
  ])('rejects a changed %s as bad_signature', async (_, change) => {
    const envelope = await seal();
    await expect(open({ ...envelope, ...change(envelope) }, bob)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects a signature by a device other than the named sender', async () => {
    const forged = resign(await seal(), mallory.keys, {});
    await expect(open(forged, bob)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects a replay, and remembers a message only once it was accepted', async () => {
    const envelope = await seal();
    const seen = new Set<string>();
    await expect(open(envelope, mallory, { seen })).rejects.toMatchObject({ reason: 'not_a_recipient' });
    expect(seen.size).toBe(0);
    await open(envelope, bob, { seen });
    expect(seen.has(envelope.messageId)).toBe(true);
    await expect(open(envelope, bob, { seen })).rejects.toMatchObject({ reason: 'duplicate' });
  });

  it('rejects a device that is not among the recipients', async () => {
    await expect(open(await seal(), mallory)).rejects.toMatchObject({ reason: 'not_a_recipient' });
  });

  it('reports decrypt_failed for a validly signed envelope whose wrapped key is garbage', async () => {
    const envelope = await seal();
    const keys = envelope.keys.map((k) => (k.deviceId === bob.deviceId ? { ...k, wrapped: b64(sodium.randombytes_buf(80)) } : k));
    await expect(open(resign(envelope, alice1.keys, { keys }), bob)).rejects.toMatchObject({ reason: 'decrypt_failed' });
  });

  it('binds the ciphertext to its header: a re-signed sentAt no longer decrypts', async () => {
    const envelope = await seal();
    const seen = new Set<string>();
    await expect(open(resign(envelope, alice1.keys, { sentAt: envelope.sentAt + 1 }), bob, { seen })).rejects.toMatchObject({
      reason: 'decrypt_failed',
    });
    expect(seen.size).toBe(0);
  });
});
