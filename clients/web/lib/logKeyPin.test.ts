// Which log key the web app trusts: the served key is parsed with its key id checked, pinned on first use, and
// never silently replaced; a key built into the bundle overrides the browser's pin entirely.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyId } from '../../../src/audit-log/tlog';
import { PIN_STORAGE_KEY, repinLogKey, resolveLogKey, type PinStorage } from './logKeyPin';
import { ed25519KeyId, logKeyFingerprint, parseLogVerifierKey } from './logVerifierKey';
import { LOG_NAME, logKey } from './testLogKeys';

const memory = (): PinStorage & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
};

describe('the log verifier key in the browser', () => {
  it('computes the C2SP key id as the server does and checks the one the key claims', async () => {
    const log = await logKey();
    expect(await ed25519KeyId(LOG_NAME, log.publicKey)).toBe(Buffer.from(keyId(LOG_NAME, 0x01, log.publicKey)).toString('hex'));
    expect(await parseLogVerifierKey(log.verifierKey)).toMatchObject({ name: LOG_NAME, keyId: log.verifierKey.split('+')[1], publicKey: log.publicKey });
    const renamed = log.verifierKey.replace(LOG_NAME, 'other.example/log');
    await expect(parseLogVerifierKey(renamed)).rejects.toThrow(/claims key id .* but its name and key give/);
    await expect(parseLogVerifierKey('not a key')).rejects.toThrow(/not a verifier key/);
  });

  it('fingerprints a key as the first 32 hex digits of sha256sum over its text', async () => {
    const { verifierKey } = await logKey();
    const digest = createHash('sha256').update(verifierKey).digest('hex');
    expect(await logKeyFingerprint(verifierKey)).toBe(digest.slice(0, 32).match(/.{4}/g)!.join(' '));
  });
});

describe('pinning the log key', () => {
  it('pins the first key it sees and keeps trusting that key', async () => {
    const storage = memory();
    const { verifierKey } = await logKey();
    expect(await resolveLogKey({ served: verifierKey, builtIn: undefined, storage })).toMatchObject({ kind: 'trusted', source: 'pinned-now' });
    expect(storage.data.get(PIN_STORAGE_KEY)).toBe(verifierKey);
    expect(await resolveLogKey({ served: verifierKey, builtIn: undefined, storage })).toMatchObject({ kind: 'trusted', source: 'pinned' });
  });

  it('reports another key under the same name as a mismatch and keeps the pin until re-pinned on purpose', async () => {
    const storage = memory();
    const first = (await logKey()).verifierKey;
    const second = (await logKey()).verifierKey;
    await resolveLogKey({ served: first, builtIn: undefined, storage });
    expect(await resolveLogKey({ served: second, builtIn: undefined, storage })).toEqual({ kind: 'mismatch', trusted: first, served: second, canRepin: true });
    expect(storage.data.get(PIN_STORAGE_KEY)).toBe(first);
    repinLogKey(storage, second);
    expect(await resolveLogKey({ served: second, builtIn: undefined, storage })).toMatchObject({ kind: 'trusted', source: 'pinned' });
  });

  it('trusts only the built-in key when there is one, and never pins or offers to re-pin', async () => {
    const storage = memory();
    const builtIn = (await logKey()).verifierKey;
    const other = (await logKey()).verifierKey;
    expect(await resolveLogKey({ served: builtIn, builtIn, storage })).toMatchObject({ kind: 'trusted', source: 'built-in' });
    expect(await resolveLogKey({ served: other, builtIn, storage })).toEqual({ kind: 'mismatch', trusted: builtIn, served: other, canRepin: false });
    expect(storage.data.size).toBe(0);
  });

  it('refuses to pin a served key whose id does not belong to it', async () => {
    const storage = memory();
    const { verifierKey } = await logKey();
    const forged = verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    await expect(resolveLogKey({ served: forged, builtIn: undefined, storage })).rejects.toThrow(/claims key id 00000000/);
    expect(storage.data.size).toBe(0);
  });
});
