/**
 * @module Re-verifies a stored justification signature from the record alone (no session, no database): the
 * canonical text hashes to the stored hash, the challenge derives from it, and the WebAuthn assertion over that
 * challenge verifies with the credential's public key, with user verification. Compliance and auditors use this.
 */
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { justificationChallenge, justificationHash } from './justification';

export interface SignedJustification {
  justification: string;
  justificationHash: string;
  credentialId: string;
  authenticatorData: string;
  clientDataJson: string;
  signature: string;
  credentialPublicKey: Uint8Array;
}

export interface JustificationVerdict {
  valid: boolean;
  /** Why it failed, in words a compliance officer can act on. */
  problem?: string;
}

export async function verifyJustificationSignature(record: SignedJustification, expected: { origin: string; rpId: string }): Promise<JustificationVerdict> {
  const hash = Array.from(justificationHash(record.justification), (b) => b.toString(16).padStart(2, '0')).join('');
  if (hash !== record.justificationHash) return { valid: false, problem: 'the justification text does not match its recorded hash' };
  try {
    const result = await verifyAuthenticationResponse({
      response: {
        id: record.credentialId,
        rawId: record.credentialId,
        type: 'public-key',
        response: { authenticatorData: record.authenticatorData, clientDataJSON: record.clientDataJson, signature: record.signature },
        clientExtensionResults: {},
      },
      expectedChallenge: justificationChallenge(record.justification),
      expectedOrigin: expected.origin,
      expectedRPID: expected.rpId,
      requireUserVerification: true,
      // Counter 0: offline we only check the signature, not the authenticator's sequence.
      credential: { id: record.credentialId, publicKey: record.credentialPublicKey as Uint8Array<ArrayBuffer>, counter: 0 },
    });
    return result.verified ? { valid: true } : { valid: false, problem: 'the passkey signature does not verify' };
  } catch (error) {
    return { valid: false, problem: (error as Error).message };
  }
}
