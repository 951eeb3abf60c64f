/** @module Turning an enrolment link into an account: the passkey registration ceremony and the one-batch account creation. */
import { verifyRegistrationResponse, type PublicKeyCredentialCreationOptionsJSON, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { eq } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { randomToken } from '../crypto/randomToken';
import { findAgency } from '../directory/agencies';
import { users } from '../directory/tables';
import { Conflict, Invalid } from '../errors';
import type { Platform } from '../platform';
import { consumeChallenge, issueChallenge } from './challenges';
import { findUsableEnrolment } from './enrolments';
import { loggedPasskeyKey } from './loggedPasskeyKey';
import { prepareSession } from './sessions';
import { credentials, enrolments } from './tables';
import { registrationOptions } from './webauthnOptions';

export interface BeginEnrolmentInput {
  token: string;
  /** Only a first-admin link lets the enrolee name themselves; invitations carry name and e-mail. */
  email?: string;
  displayName?: string;
}

export async function beginEnrolment(
  services: Pick<Platform, 'database' | 'clock' | 'config'>,
  input: BeginEnrolmentInput,
): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const enrolment = await findUsableEnrolment(services, input.token);
  const email = (enrolment.email ?? input.email)?.toLowerCase();
  const displayName = enrolment.displayName ?? input.displayName;
  if (!email) throw new Invalid('An e-mail address is required to enrol the first administrator', 'email');
  if (!displayName) throw new Invalid('A display name is required to enrol the first administrator', 'displayName');
  const [taken] = await services.database.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (taken) throw new Conflict(`A user with e-mail ${email} already exists`, 'email');
  const webauthnUserId = randomToken(32);
  const options = await registrationOptions(services.config, { webauthnUserId, email, displayName });
  const challengeId = await issueChallenge(services, {
    purpose: 'register',
    challenge: options.challenge,
    context: { enrolmentId: enrolment.id, webauthnUserId, email, displayName },
  });
  return { challengeId, options };
}

export interface CompleteEnrolmentInput {
  token: string;
  challengeId: string;
  response: RegistrationResponseJSON;
  passkeyName?: string;
}

export async function completeEnrolment(
  services: Pick<Platform, 'database' | 'clock' | 'config'> & { logWriter: LogWriter },
  input: CompleteEnrolmentInput,
) {
  const { database, clock, config, logWriter } = services;
  const challenge = await consumeChallenge(services, { id: input.challengeId, purpose: 'register' });
  const enrolment = await findUsableEnrolment(services, input.token);
  // Ensure the challenge was issued for this very enrolment link.
  if (challenge.context.enrolmentId !== enrolment.id) throw new Invalid('The challenge was issued for another enrolment', 'challengeId');
  const verification = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge: challenge.challenge,
    expectedOrigin: config.origin,
    expectedRPID: config.rpId,
    requireUserVerification: true,
  }).catch((error: Error) => {
    throw new Invalid(`Passkey registration could not be verified: ${error.message}`, 'response');
  });
  if (!verification.verified) throw new Invalid('Passkey registration could not be verified', 'response');
  const { credential, credentialDeviceType, credentialBackedUp, origin, rpID } = verification.registrationInfo;

  const now = clock.now();
  const userId = crypto.randomUUID();
  const email = String(challenge.context.email);
  const displayName = String(challenge.context.displayName);
  const agency = enrolment.agencyId ? await findAgency(services, enrolment.agencyId) : undefined;
  const session = await prepareSession(services, { userId, credentialId: credential.id });
  await logWriter.commit(
    [
      {
        type: 'user.enrolled',
        actor: { system: enrolment.kind === 'first_admin' ? 'first-admin-link' : 'invitation' },
        subject: { userId, enrolmentId: enrolment.id },
        countries: agency ? [agency.countryCode] : [],
        details: { role: enrolment.role, agencyId: enrolment.agencyId },
      },
      {
        type: 'passkey.added',
        actor: { userId, role: enrolment.role },
        subject: { userId, credentialId: credential.id },
        countries: agency ? [agency.countryCode] : [],
        // The key itself, so that the justifications it signs can be re-verified from the log alone.
        details: loggedPasskeyKey({ credentialId: credential.id, publicKey: credential.publicKey, rpId: rpID ?? config.rpId, origin }),
      },
    ],
    [
      database.db.insert(users).values({
        id: userId,
        displayName,
        email,
        role: enrolment.role,
        agencyId: enrolment.agencyId,
        status: 'active',
        webauthnUserId: String(challenge.context.webauthnUserId),
        enrolmentId: enrolment.id,
        createdAt: now,
      }),
      database.db.insert(credentials).values({
        id: credential.id,
        userId,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: credential.transports ?? [],
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
        name: input.passkeyName ?? 'First passkey',
        createdAt: now,
      }),
      database.db.update(enrolments).set({ usedAt: now }).where(eq(enrolments.id, enrolment.id)),
      session.statement,
    ],
  );
  return { userId, role: enrolment.role, session };
}
