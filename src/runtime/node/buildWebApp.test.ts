// The log key built into the web app: a bad EXIGENT_LOG_VERIFIER_KEY stops the build with a message naming it, and a
// good one reaches the bundle in the canonical text the server serves, so the browser can compare them as strings.
import { describe, expect, it } from 'vitest';
import { noteVerifierKey, witnessVerifierKey } from '../../audit-log/tlog';
import { builtInLogVerifierKey } from './buildWebApp';

describe('EXIGENT_LOG_VERIFIER_KEY at build time', () => {
  const publicKey = new Uint8Array(32).fill(7);
  const vkey = noteVerifierKey('exigent.example/log', publicKey);

  it('is empty when unset, and canonical when set', () => {
    expect(builtInLogVerifierKey(undefined)).toBe('');
    const [name, id, key] = vkey.split('+');
    expect(builtInLogVerifierKey(` ${name}+${id!.toUpperCase()}+${key} `)).toBe(vkey);
  });

  it('stops the build on a malformed key, a wrong key id, or a witness key', () => {
    expect(() => builtInLogVerifierKey('exigent.example/log')).toThrow(/^EXIGENT_LOG_VERIFIER_KEY: a verifier key has the form/);
    expect(() => builtInLogVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(/^EXIGENT_LOG_VERIFIER_KEY: verifier key id does not match/);
    expect(() => builtInLogVerifierKey(witnessVerifierKey('ncb.example/witness', publicKey))).toThrow(/^EXIGENT_LOG_VERIFIER_KEY: .*not a cosignature key/);
  });
});
