/**
 * @module Opening an urgent contact, in two steps. `prepareUrgentContact` checks the draft and returns the canonical
 * justification with a WebAuthn challenge derived from it; `openUrgentContact` verifies the passkey's step-up
 * assertion over that very justification and then writes — in ONE atomic batch — the contact, its conversation,
 * the justification log entry, both NCB notifications (with their e-mails and webhooks) and the formal request.
 */
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { and, eq, isNull } from 'drizzle-orm';
import { encodeLeaf, type LogEvent } from '../audit-log/logEvent';
import type { LogWriter } from '../audit-log/logWriter';
import { consumeChallenge, issueChallenge } from '../auth/challenges';
import { credentials } from '../auth/tables';
import { verifyPasskeyAssertion } from '../auth/verifyPasskeyAssertion';
import { contactCounterparts, urgentContacts } from '../contact-record/tables';
import { fromBase64Url, toBase64Url } from '../crypto/base64url';
import type { Actor } from '../directory/actor';
import { Invalid } from '../errors';
import type { LegalInstrument } from '../formal-requests/instruments';
import { newFormalRequest } from '../formal-requests/newFormalRequest';
import { newNotifications } from '../ncb/newNotifications';
import type { Platform } from '../platform';
import { newConversation } from '../relay/conversations';
import { authenticationOptions } from '../auth/webauthnOptions';
import type { LivePublisher } from '../relay/deliveryHub';
import { resolveDraft, type UrgentContactDraft } from './draft';
import { canonicalJustification, justificationChallenge, justificationHash, JUSTIFICATION_KIND, type Justification } from './justification';
import { justificationFitsLog } from './justificationFitsLog';

export interface PreparedUrgentContact {
  challengeId: string;
  justification: Justification;
  /** SHA-256 of the canonical justification, hex: what the passkey is about to sign, for the UI to show. */
  justificationHash: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export async function prepareUrgentContact(
  services: Pick<Platform, 'database' | 'clock' | 'config'> & { instruments: readonly LegalInstrument[] },
  actor: Actor,
  input: UrgentContactDraft,
): Promise<PreparedUrgentContact> {
  const { draft, requester, counterparts } = await resolveDraft(services, actor, input);
  const justification: Justification = {
    kind: JUSTIFICATION_KIND,
    requester: { userId: requester.id, displayName: requester.displayName, agencyId: requester.agencyId, agencyName: requester.agencyName, country: requester.countryCode },
    requestedCountry: draft.requestedCountry,
    counterparts: counterparts.map((c) => ({ userId: c.id, displayName: c.displayName, agencyName: c.agencyName ?? '' })),
    grounds: draft.grounds,
    narrative: draft.narrative,
    caseReference: draft.caseReference,
    offenceCategory: draft.offenceCategory,
    soughtInformation: draft.soughtInformation,
    handling: { code: draft.handlingCode, conditions: draft.handlingConditions },
    legalInstrument: draft.legalInstrument,
    issuedAt: new Date(services.clock.now()).toISOString(),
    nonce: toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
  };
  const canonical = canonicalJustification(justification);
  // Refused now, not after the investigator has signed: the opened leaf carries the whole justification.
  justificationFitsLog(canonical);
  const challenge = justificationChallenge(canonical);
  const passkeys = await services.database.db
    .select({ id: credentials.id })
    .from(credentials)
    .where(and(eq(credentials.userId, actor.userId), isNull(credentials.revokedAt)));
  const options = await authenticationOptions(services.config, { challenge: fromBase64Url(challenge), allowCredentialIds: passkeys.map((p) => p.id) });
  // The server keeps the exact canonical text: the client cannot alter what gets stored after signing.
  const challengeId = await issueChallenge(services, { purpose: 'urgent_contact', challenge, userId: actor.userId, context: { justification: canonical, draft } });
  return { challengeId, justification, justificationHash: hex(justificationHash(canonical)), options };
}

export interface OpenedUrgentContact {
  id: string;
  conversationId: string;
  formalRequestId: string;
  notificationIds: string[];
  justificationHash: string;
  deadlineAt: number;
  /** Milliseconds the atomic write took, and the whole commit including the wait for the log's single writer (Server-Timing). */
  writeMs: number;
  commitMs: number;
}

export async function openUrgentContact(
  services: Pick<Platform, 'database' | 'clock' | 'config'> & { logWriter: LogWriter; instruments: readonly LegalInstrument[]; hub: LivePublisher },
  actor: Actor,
  input: { challengeId: string; response: AuthenticationResponseJSON },
): Promise<OpenedUrgentContact> {
  const stored = await consumeChallenge(services, { id: input.challengeId, purpose: 'urgent_contact' });
  if (stored.userId !== actor.userId) throw new Invalid('This justification was prepared by another user', 'challengeId');
  const canonical = String(stored.context.justification);
  // The challenge is recomputed from the stored justification, not trusted from the row: they must agree.
  if (justificationChallenge(canonical) !== stored.challenge) throw new Invalid('The stored justification does not match its challenge', 'challengeId');
  const assertion = await verifyPasskeyAssertion(services, { response: input.response, expectedChallenge: stored.challenge, expectedUserId: actor.userId });
  // Re-check the directory now: a counterpart may have been disabled since the draft was prepared.
  const { draft, requester, counterparts, ncbs } = await resolveDraft(services, actor, stored.context.draft as UrgentContactDraft);
  const [credential] = await services.database.db.select({ publicKey: credentials.publicKey }).from(credentials).where(eq(credentials.id, assertion.credentialId));

  const openedAt = services.clock.now();
  const id = crypto.randomUUID();
  const hash = hex(justificationHash(canonical));
  const countries = [requester.countryCode, draft.requestedCountry];
  const logActor: LogEvent['actor'] = { userId: actor.userId, role: actor.role };
  const conversation = await newConversation(services, { memberUserIds: [requester.id, ...counterparts.map((c) => c.id)] });
  const formalRequest = newFormalRequest(services, {
    contactId: id,
    instrument: draft.legalInstrument,
    openedAt,
    countries,
    actor: logActor,
    draft: {
      requestingState: requester.countryCode,
      requestedState: draft.requestedCountry,
      requestingAuthority: requester.agencyName,
      requestedAuthority: [...new Set(counterparts.map((c) => c.agencyName ?? ''))].join(', '),
      caseReference: draft.caseReference,
      offenceCategory: draft.offenceCategory,
      facts: draft.narrative,
      measuresSought: draft.soughtInformation,
    },
  });
  const notifications = await newNotifications(services, {
    actor: logActor,
    contact: { id, requestingCountry: requester.countryCode, requestedCountry: draft.requestedCountry, grounds: draft.grounds, caseReference: draft.caseReference, requesterName: requester.displayName, openedAt },
    ncbs: [
      { ...ncbs.requesting, countryCode: requester.countryCode, side: 'requesting' },
      { ...ncbs.requested, countryCode: draft.requestedCountry, side: 'requested' },
    ],
  });
  const { response } = input.response;
  const statements = [
    ...conversation.statements,
    services.database.db.insert(urgentContacts).values({
      id,
      requesterUserId: requester.id,
      requesterAgencyId: requester.agencyId,
      requestingCountry: requester.countryCode,
      requestedCountry: draft.requestedCountry,
      grounds: draft.grounds,
      narrative: draft.narrative,
      caseReference: draft.caseReference,
      offenceCategory: draft.offenceCategory,
      soughtInformation: draft.soughtInformation,
      handlingCode: draft.handlingCode,
      handlingConditions: draft.handlingConditions,
      legalInstrument: draft.legalInstrument,
      status: 'open',
      conversationId: conversation.id,
      justification: canonical,
      justificationHash: hash,
      credentialId: assertion.credentialId,
      authenticatorData: response.authenticatorData,
      clientDataJson: response.clientDataJSON,
      signature: response.signature,
      credentialPublicKey: credential!.publicKey,
      openedAt,
    }),
    services.database.db.insert(contactCounterparts).values(counterparts.map((c) => ({ contactId: id, userId: c.id }))),
    ...notifications.statements,
    formalRequest.statement,
    assertion.counterStatement,
  ];
  const events: LogEvent[] = [
    {
      type: 'urgent_contact.opened',
      actor: logActor,
      subject: { urgentContactId: id, conversationId: conversation.id, formalRequestId: formalRequest.id },
      countries,
      // The whole signed record and its proof of signing: anyone can re-verify it from the log alone.
      details: {
        justification: JSON.parse(canonical) as Justification,
        justificationHash: hash,
        assertion: { credentialId: assertion.credentialId, authenticatorData: response.authenticatorData, clientDataJSON: response.clientDataJSON, signature: response.signature },
      },
    },
    ...notifications.events,
    formalRequest.event,
  ];
  // An abnormal assertion can still overfill the leaf: refuse it here, a 422 on every runtime (on Workers the writer
  // runs in the LogSequencer object, whose refusals reach the caller only as a message).
  for (const event of events) encodeLeaf(event, openedAt);
  const started = performance.now();
  const { batchMs } = await services.logWriter.commit(events, statements);
  const commitMs = performance.now() - started;
  for (const [i, ncb] of [ncbs.requesting, ncbs.requested].entries()) {
    services.hub.publish(`ncb:${ncb.id}`, { type: 'notification', notificationId: notifications.notificationIds[i]!, urgentContactId: id });
  }
  return { id, conversationId: conversation.id, formalRequestId: formalRequest.id, notificationIds: notifications.notificationIds, justificationHash: hash, deadlineAt: formalRequest.deadlineAt, writeMs: batchMs, commitMs };
}
