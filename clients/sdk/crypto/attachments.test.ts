// Attachment blobs and message content: round trips, tampering and shape validation.
import { describe, expect, it } from 'vitest';
import { BLOB_CONTEXT, decryptAttachment, encryptAttachment } from './attachments';
import { utf8 } from './bytes';
import { sodiumReady, unb64 } from './sodium';
import { decodeContent, encodeContent, type MessageContent } from './content';

describe('attachments', () => {
  it('round trip, with the nonce as the blob’s first 24 bytes', async () => {
    const data = utf8('photo bytes');
    const { key, blob } = await encryptAttachment(data);
    expect(blob).toHaveLength(24 + data.length + 16);
    expect(await decryptAttachment(blob, key)).toEqual(data);
    expect(BLOB_CONTEXT).toBe('exigent-blob-v1');
  });

  it('reject a tampered blob, a truncated blob and the wrong key', async () => {
    const { key, blob } = await encryptAttachment(new Uint8Array(100));
    for (const index of [0, 30, blob.length - 1]) {
      const tampered = blob.slice();
      tampered[index] = (tampered[index] ?? 0) ^ 0x80;
      await expect(decryptAttachment(tampered, key)).rejects.toMatchObject({ reason: 'decrypt_failed' });
    }
    await expect(decryptAttachment(blob.subarray(0, 30), key)).rejects.toMatchObject({ reason: 'decrypt_failed' });
    const other = await encryptAttachment(new Uint8Array(1));
    await expect(decryptAttachment(blob, other.key)).rejects.toMatchObject({ reason: 'decrypt_failed' });
  });

  it('refuses a blob swapped for another one encrypted under the same key', async () => {
    const original = await encryptAttachment(new TextEncoder().encode('the real photo'));
    expect(await decryptAttachment(original.blob, original.key, original.digest)).toEqual(new TextEncoder().encode('the real photo'));
    // A member who knows the key re-encrypts other content under it and replaces the blob on the server.
    const sodium = await sodiumReady();
    const nonce = sodium.randombytes_buf(24);
    const forged = new Uint8Array([...nonce, ...sodium.crypto_aead_xchacha20poly1305_ietf_encrypt('a fake photo', 'exigent-blob-v1', null, nonce, unb64(original.key))]);
    expect(await decryptAttachment(forged, original.key)).toEqual(new TextEncoder().encode('a fake photo'));
    await expect(decryptAttachment(forged, original.key, original.digest)).rejects.toMatchObject({ reason: 'decrypt_failed' });
  });
});

describe('message content', () => {
  it('round trips text with attachments and read receipts', async () => {
    const { key, digest } = await encryptAttachment(new Uint8Array(1));
    const contents: MessageContent[] = [
      {
        type: 'text',
        text: 'see attached',
        attachments: [{ blobId: 'blob-1', key, digest, name: 'scan.pdf', mediaType: 'application/pdf', size: 1 }],
      },
      { type: 'text', text: 'no attachments' },
      { type: 'read', messageIds: ['AAAAAAAAAAAAAAAAAAAAAA'] },
    ];
    for (const content of contents) expect(decodeContent(encodeContent(content))).toEqual(content);
  });

  const shortKey = { blobId: 'b', key: 'AAAA', name: 'n', mediaType: 'm', size: 1 };
  it.each([
    ['invalid UTF-8', new Uint8Array([0xff, 0xfe])],
    ['non-JSON', utf8('hello')],
    ['an unknown type', utf8('{"type":"poll"}')],
    ['text without text', utf8('{"type":"text"}')],
    ['an attachment with a short key', utf8(JSON.stringify({ type: 'text', text: '', attachments: [shortKey] }))],
    ['a read receipt with a bad id', utf8('{"type":"read","messageIds":["x"]}')],
  ])('rejects %s as malformed', (_, bytes) => {
    expect(() => decodeContent(bytes)).toThrow(expect.objectContaining({ reason: 'malformed' }));
  });

  it('drops unknown fields', () => {
    expect(decodeContent(utf8('{"type":"text","text":"hi","html":"<b>hi</b>"}'))).toEqual({ type: 'text', text: 'hi' });
  });
});
