/**
 * @module One urgent contact's story told from verified log leaves alone: the grounds its investigator signed, when
 * each NCB was notified and acknowledged, and whether the formal request was submitted by its deadline. It reads
 * nothing but the leaves it is given, so what it prints is exactly what the signed tree commits to.
 */

export interface ProvenEntry {
  index: number;
  data: string;
}

interface Leaf {
  type: string;
  at: string;
  actor: { userId?: string; role?: string; system?: string };
  subject: Record<string, string>;
  details: Record<string, unknown>;
}

export interface ContactStory {
  found: boolean;
  lines: string[];
  /** True when the log shows a submission declared after the deadline, or no submission and the deadline has passed. */
  formalRequestLate: boolean;
}

/**
 * Tells the story of `contactId` from `entries` (which the caller has already proven included in a signed tree).
 * `now` decides whether an unsubmitted request's deadline has passed.
 */
export function contactStory(entries: readonly ProvenEntry[], contactId: string, now: Date): ContactStory {
  const leaves = entries
    .map((e) => ({ index: e.index, leaf: JSON.parse(e.data) as Leaf }))
    .filter((e) => e.leaf.subject?.urgentContactId === contactId);
  const opened = leaves.find((e) => e.leaf.type === 'urgent_contact.opened');
  if (!opened) return { found: false, lines: [`urgent contact ${contactId}: no opening entry in this export`], formalRequestLate: false };

  const justification = opened.leaf.details.justification as {
    requester: { userId: string; displayName: string; agencyName: string; country: string };
    requestedCountry: string;
    grounds: string[];
    caseReference: string;
  };
  const assertion = opened.leaf.details.assertion as { credentialId: string };
  const lines = [
    `urgent contact ${contactId} (case ${justification.caseReference}), ${justification.requester.country} → ${justification.requestedCountry}`,
    `  opened ${opened.leaf.at} by ${justification.requester.displayName} (${justification.requester.agencyName}, user ${justification.requester.userId}) [log ${opened.index}]`,
    `  grounds signed: ${justification.grounds.join(', ')}`,
    `  justification SHA-256 ${String(opened.leaf.details.justificationHash)}, passkey ${assertion.credentialId}`,
  ];

  // Notifications: one per NCB, each acknowledged at most once, possibly escalated first.
  for (const notified of leaves.filter((e) => e.leaf.type === 'ncb.notified')) {
    const id = notified.leaf.subject.notificationId;
    const side = String(notified.leaf.details.side ?? 'ncb');
    const acknowledged = leaves.find((e) => e.leaf.type === 'ncb.acknowledged' && e.leaf.subject.notificationId === id);
    const escalations = leaves.filter((e) => e.leaf.type === 'ncb.escalated' && e.leaf.subject.notificationId === id);
    const by = acknowledged?.leaf.actor.userId ? ` by user ${acknowledged.leaf.actor.userId}` : '';
    lines.push(
      `  NCB ${notified.leaf.subject.agencyId} (${side}) notified ${notified.leaf.at} [log ${notified.index}]; ` +
        (acknowledged
          ? `acknowledged ${acknowledged.leaf.at}${by}, ${String(acknowledged.leaf.details.secondsAfterNotification)} s later [log ${acknowledged.index}]`
          : 'NOT acknowledged in this export') +
        (escalations.length > 0 ? `; escalated ${escalations.length}× (first ${escalations[0]!.leaf.at})` : ''),
    );
  }

  // The formal request: its deadline is the one set at opening unless a logged update moved it.
  let deadline: string | undefined;
  let submitted: { declared: string; recorded: string; index: number } | undefined;
  const states: string[] = [];
  for (const { index, leaf } of leaves) {
    if (leaf.type === 'formal_request.state_changed') {
      if (typeof leaf.details.deadlineAt === 'string') deadline = leaf.details.deadlineAt;
      states.push(`${String(leaf.details.to)} ${leaf.at} [log ${index}]`);
      if (leaf.details.to === 'submitted' && !submitted) submitted = { declared: String(leaf.details.submittedAt ?? leaf.at), recorded: leaf.at, index };
    } else if (leaf.type === 'formal_request.updated' && typeof leaf.details.deadlineAt === 'string') {
      deadline = leaf.details.deadlineAt;
      states.push(`deadline moved to ${leaf.details.deadlineAt} ${leaf.at} [log ${index}]`);
    } else if (leaf.type === 'formal_request.overdue') {
      states.push(`overdue ${leaf.at} [log ${index}]`);
    }
  }
  lines.push(`  formal request: ${states.join('; ') || 'no entries in this export'}`);
  let formalRequestLate = false;
  if (deadline) {
    const due = Date.parse(deadline);
    if (submitted) {
      // The declared date is what the officer says the request was filed on (it may have gone on paper first); the
      // recording time is the server's clock at commit. Both are shown; the verdict follows the declared date.
      formalRequestLate = Date.parse(submitted.declared) > due;
      const recordedLate = Date.parse(submitted.recorded) > due ? ', recorded after the deadline' : '';
      lines.push(
        `  formal request ${formalRequestLate ? 'submitted LATE' : 'submitted in time'}: deadline ${deadline}, declared submitted ${submitted.declared}, recorded ${submitted.recorded}${recordedLate} [log ${submitted.index}]`,
      );
    } else {
      formalRequestLate = now.getTime() > due;
      lines.push(`  formal request NOT submitted; deadline ${deadline} ${formalRequestLate ? 'has passed' : 'not yet reached'}`);
    }
  }

  for (const { index, leaf } of leaves.filter((e) => e.leaf.type === 'compliance.decision')) {
    lines.push(`  compliance decision: ${String(leaf.details.decision)} ${leaf.at} by user ${leaf.actor.userId ?? '?'} [log ${index}]`);
  }
  const closed = leaves.find((e) => e.leaf.type === 'urgent_contact.closed');
  if (closed) lines.push(`  closed ${closed.leaf.at} [log ${closed.index}]`);
  return { found: true, lines, formalRequestLate };
}
