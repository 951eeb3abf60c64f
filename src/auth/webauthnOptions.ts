/** @module Builders of WebAuthn ceremony options with Exigent's policy: discoverable passkeys, user verification required. */
import { generateAuthenticationOptions, generateRegistrationOptions } from '@simplewebauthn/server';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Config } from '../config/loadConfig';
import { fromBase64Url } from '../crypto/base64url';

export async function registrationOptions(
  config: Config,
  user: { webauthnUserId: string; email: string; displayName: string; excludeCredentialIds?: string[] },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: config.rpName,
    rpID: config.rpId,
    userName: user.email,
    userDisplayName: user.displayName,
    userID: fromBase64Url(user.webauthnUserId) as Uint8Array<ArrayBuffer>,
    attestationType: 'none',
    excludeCredentials: (user.excludeCredentialIds ?? []).map((id) => ({ id })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: [-8, -7, -257],
    timeout: 300_000,
  });
}

export async function authenticationOptions(
  config: Config,
  options: { challenge?: Uint8Array; allowCredentialIds?: string[] } = {},
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: config.rpId,
    userVerification: 'required',
    allowCredentials: (options.allowCredentialIds ?? []).map((id) => ({ id })),
    timeout: 300_000,
    ...(options.challenge ? { challenge: options.challenge as Uint8Array<ArrayBuffer> } : {}),
  });
}
