/** @module A software WebAuthn authenticator (ES256, "none" attestation) whose responses pass real @simplewebauthn/server verification. */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { toBase64Url } from '../../../src/crypto/base64url';

interface StoredCredential {
  id: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  userHandle: string;
  rpId: string;
  counter: number;
}

export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  userVerified?: boolean;
  counter?: number;
  type?: string;
  credentialId?: string;
}

const encoder = new TextEncoder();
const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** WebCrypto returns ECDSA signatures as raw r‖s; WebAuthn (like X.509) wants ASN.1 DER SEQUENCE { INTEGER r, INTEGER s }. */
export function rawEcdsaToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let v = bytes.subarray(i);
    // A set high bit would make the INTEGER negative: prefix a zero byte.
    if ((v[0] as number) & 0x80) v = concat(new Uint8Array([0]), v);
    return concat(new Uint8Array([0x02, v.length]), v);
  };
  const body = concat(integer(raw.subarray(0, half)), integer(raw.subarray(half)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

/** COSE_Key for an EC2 P-256 public key (RFC 9053 §7.1.1): kty 2, alg -7 (ES256), crv 1, x, y. */
async function coseKey(publicKey: CryptoKey): Promise<Uint8Array> {
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
  const map = new Map<number, number | Uint8Array>([
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, raw.slice(1, 33)],
    [-3, raw.slice(33, 65)],
  ]);
  return isoCBOR.encode(map as never);
}

// Flags (WebAuthn §6.1): UP 0x01, UV 0x04, AT 0x40.
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export class SoftAuthenticator {
  readonly origin: string;
  private readonly rpId: string;
  private readonly credentials = new Map<string, StoredCredential>();

  constructor(options: { origin: string; rpId?: string }) {
    this.origin = options.origin;
    this.rpId = options.rpId ?? new URL(options.origin).hostname;
  }

  credentialIds(): string[] {
    return [...this.credentials.keys()];
  }

  /** Copies a credential (key and counter) out, e.g. to simulate a cloned authenticator. */
  exportCredential(id: string): StoredCredential {
    const credential = this.credentials.get(id);
    if (!credential) throw new Error(`no credential ${id}`);
    return { ...credential };
  }

  importCredential(credential: StoredCredential): void {
    this.credentials.set(credential.id, { ...credential });
  }

  async createCredential(options: PublicKeyCredentialCreationOptionsJSON, overrides: CeremonyOverrides = {}): Promise<RegistrationResponseJSON> {
    const rpId = overrides.rpId ?? options.rp.id ?? this.rpId;
    const keys = (await crypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as CryptoKeyPair;
    const credentialId = crypto.getRandomValues(new Uint8Array(32));
    const id = toBase64Url(credentialId);
    const counter = overrides.counter ?? 0;
    const flags = UP | AT | (overrides.userVerified === false ? 0 : UV);
    // authenticatorData (§6.1) with attestedCredentialData (§6.5.2): AAGUID, credIdLen, credId, COSE key.
    const authData = concat(
      await sha256(encoder.encode(rpId)),
      new Uint8Array([flags]),
      u32(counter),
      new Uint8Array(16),
      new Uint8Array([credentialId.length >> 8, credentialId.length & 0xff]),
      credentialId,
      await coseKey(keys.publicKey),
    );
    const clientDataJSON = encoder.encode(
      JSON.stringify({ type: overrides.type ?? 'webauthn.create', challenge: overrides.challenge ?? options.challenge, origin: overrides.origin ?? this.origin, crossOrigin: false }),
    );
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]) as never);
    this.credentials.set(id, { id, privateKey: keys.privateKey, publicKey: keys.publicKey, userHandle: options.user.id, rpId, counter });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: toBase64Url(clientDataJSON),
        attestationObject: toBase64Url(attestationObject),
        transports: ['internal'],
        publicKeyAlgorithm: -7,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  async getAssertion(options: PublicKeyCredentialRequestOptionsJSON, overrides: CeremonyOverrides = {}): Promise<AuthenticationResponseJSON> {
    const allowed = (options.allowCredentials ?? []).map((c) => c.id);
    const candidates = [...this.credentials.values()].filter(
      (c) => (allowed.length === 0 || allowed.includes(c.id)) && (!overrides.credentialId || c.id === overrides.credentialId),
    );
    const credential = candidates.at(-1);
    if (!credential) throw new Error('SoftAuthenticator: no matching credential');
    credential.counter = overrides.counter ?? credential.counter + 1;
    const rpId = overrides.rpId ?? options.rpId ?? credential.rpId;
    const flags = UP | (overrides.userVerified === false ? 0 : UV);
    const authData = concat(await sha256(encoder.encode(rpId)), new Uint8Array([flags]), u32(credential.counter));
    const clientDataJSON = encoder.encode(
      JSON.stringify({ type: overrides.type ?? 'webauthn.get', challenge: overrides.challenge ?? options.challenge, origin: overrides.origin ?? this.origin, crossOrigin: false }),
    );
    // The assertion signature covers authenticatorData ‖ SHA-256(clientDataJSON) (§6.3.3 step 11).
    const signed = concat(authData, await sha256(clientDataJSON));
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, credential.privateKey, signed as Uint8Array<ArrayBuffer>));
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: toBase64Url(clientDataJSON),
        authenticatorData: toBase64Url(authData),
        signature: toBase64Url(rawEcdsaToDer(raw)),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

