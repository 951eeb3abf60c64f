// Checkpoints, signed notes and witness cosignatures: round trips, a published vector, tampering, and libsodium interop.
import sodium from 'libsodium-wrappers';
import { describe, expect, it } from 'vitest';
import { cosignCheckpoint, formatCheckpoint, openNote, parseCheckpoint, parseVerifierKey, signNote, verifyCosignature, witnessVerifierKey, noteVerifierKey, splitNote } from './index';
import type { NoteSigner } from './signedNote';

async function newSigner(name: string): Promise<NoteSigner> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { name, privateKey: pair.privateKey, publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
}

const root = new Uint8Array(32).map((_, i) => i);

describe('checkpoint body', () => {
  it('formats and parses strictly', () => {
    const text = formatCheckpoint({ origin: 'exigent.example/log', size: 1234, rootHash: root });
    expect(text).toBe(`exigent.example/log\n1234\n${Buffer.from(root).toString('base64')}\n`);
    expect(parseCheckpoint(text)).toMatchObject({ origin: 'exigent.example/log', size: 1234 });
    expect(() => parseCheckpoint(text.replace('1234', '01234'))).toThrow(/size/);
    expect(() => parseCheckpoint(text.slice(0, -1))).toThrow(/newline/);
    expect(() => parseCheckpoint('o\n1\nAAAA\n')).toThrow(/root/);
  });
});

describe('signed note', () => {
  it('verifies the published Go sumdb/note example', async () => {
    const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
    const note =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const key = parseVerifierKey(vkey);
    const opened = await openNote(note, key);
    expect(opened.text).toMatch(/^If you think/);
    await expect(openNote(note.replace('cryptography', 'cryptanalysis'), key)).rejects.toThrow(/does not verify/);
  });

  it('round-trips, and fails closed for another key or tampered text', async () => {
    const log = await newSigner('exigent.example/log');
    const other = await newSigner('exigent.example/log');
    const body = formatCheckpoint({ origin: log.name, size: 7, rootHash: root });
    const note = await signNote(body, log);
    expect((await openNote(note, log)).text).toBe(body);
    await expect(openNote(note, other)).rejects.toThrow(/no signature/);
    await expect(openNote(note.replace('\n7\n', '\n8\n'), log)).rejects.toThrow(/does not verify/);
    // Many keys, so base64 keys containing '+' (the vkey separator) are covered.
    for (let i = 0; i < 40; i++) {
      const s = await newSigner(`w${i}.example`);
      expect(parseVerifierKey(noteVerifierKey(s.name, s.publicKey)).publicKey).toEqual(s.publicKey);
    }
    expect(() => parseVerifierKey(noteVerifierKey(log.name, log.publicKey).replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(/key id/);
  });

  it('produces signatures that libsodium crypto_sign verifies (clients use libsodium)', async () => {
    await sodium.ready;
    const log = await newSigner('exigent.example/log');
    const body = formatCheckpoint({ origin: log.name, size: 3, rootHash: root });
    const [line] = splitNote(await signNote(body, log)).signatures;
    expect(sodium.crypto_sign_verify_detached(line!.signature, new TextEncoder().encode(body), log.publicKey)).toBe(true);
    expect(sodium.crypto_sign_verify_detached(line!.signature, new TextEncoder().encode(body + 'x'), log.publicKey)).toBe(false);
  });
});

describe('witness cosignatures (C2SP tlog-cosignature v1)', () => {
  it('verifies its own cosignature and returns the timestamp', async () => {
    const witness = await newSigner('ncb.ua/witness');
    const body = formatCheckpoint({ origin: 'exigent.example/log', size: 9, rootHash: root });
    const line = await cosignCheckpoint(body, witness, 1_795_000_000);
    expect(line).toMatch(/^— ncb\.ua\/witness [A-Za-z0-9+/]+=*$/);
    expect(await verifyCosignature(body, line, witness.publicKey, witness.name)).toBe(1_795_000_000);
    expect(parseVerifierKey(witnessVerifierKey(witness.name, witness.publicKey)).alg).toBe(0x04);
  });

  it('rejects a tampered body, a forged timestamp, another key or another name', async () => {
    const witness = await newSigner('ncb.ua/witness');
    const stranger = await newSigner('ncb.ua/witness');
    const body = formatCheckpoint({ origin: 'exigent.example/log', size: 9, rootHash: root });
    const line = await cosignCheckpoint(body, witness, 1000);
    expect(await verifyCosignature(body.replace('\n9\n', '\n10\n'), line, witness.publicKey, witness.name)).toBeUndefined();
    const bytes = Buffer.from(line.split(' ')[2]!, 'base64');
    bytes[11]! ^= 1;
    expect(await verifyCosignature(body, `— ${witness.name} ${bytes.toString('base64')}`, witness.publicKey, witness.name)).toBeUndefined();
    expect(await verifyCosignature(body, line, stranger.publicKey, witness.name)).toBeUndefined();
    expect(await verifyCosignature(body, line, witness.publicKey, 'pl/witness')).toBeUndefined();
  });
});
