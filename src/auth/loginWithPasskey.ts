/** @module Passkey login: a discoverable-credential ceremony that ends in a fresh session. */
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Platform } from '../platform';
import { consumeChallenge, issueChallenge } from './challenges';
import { prepareSession, type NewSession } from './sessions';
import { verifyPasskeyAssertion } from './verifyPasskeyAssertion';
import { authenticationOptions } from './webauthnOptions';

export async function beginLogin(
  services: Pick<Platform, 'database' | 'clock' | 'config'>,
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const options = await authenticationOptions(services.config);
  const challengeId = await issueChallenge(services, { purpose: 'login', challenge: options.challenge });
  return { challengeId, options };
}

export async function completeLogin(
  services: Pick<Platform, 'database' | 'clock' | 'config'>,
  input: { challengeId: string; response: AuthenticationResponseJSON },
): Promise<{ userId: string; session: NewSession }> {
  const challenge = await consumeChallenge(services, { id: input.challengeId, purpose: 'login' });
  const assertion = await verifyPasskeyAssertion(services, { response: input.response, expectedChallenge: challenge.challenge });
  const session = await prepareSession(services, { userId: assertion.userId, credentialId: assertion.credentialId });
  await services.database.batch([assertion.counterStatement, session.statement]);
  return { userId: assertion.userId, session };
}
