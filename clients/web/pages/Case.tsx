/** @jsxImportSource hono/jsx/dom */
/** @module A case under review: signature verification, justification, NCB times, timeline from the log, decisions. */
import { useEffect, useState } from 'hono/jsx';
import { api, type Me } from '../lib/api';
import { formErrors, noErrors, type FormErrors } from '../lib/fieldErrors';
import { Badge, Field, GROUND_WORDING, Notice, when } from '../components/ui';

interface CaseData {
  record: {
    id: string;
    caseReference: string;
    requestingCountry: string;
    requestedCountry: string;
    openedAt: number;
    grounds: string[];
    narrative: string;
    soughtInformation: string;
    handlingCode: string;
    requester: { displayName: string; agencyName: string };
    counterparts: Array<{ displayName: string; agencyName: string | null }>;
    notifications: Array<{ side: string; countryCode: string; createdAt: number; acknowledgedAt: number | null; escalationLevel: number }>;
    formalRequest: { state: string; deadlineAt: number; submittedAt: number | null; overdue: boolean } | null;
    messages: { count: number; firstAt: number | null; lastAt: number | null };
    review: { status: string };
    /** Whether the database row still agrees with the signed justification in the log (grounds shown are the signed ones). */
    integrity?: { matchesLog: boolean; openingLogIndex: number | null; mismatchedColumns: string[]; databaseGrounds: string[] | null };
  };
  signature: { valid: boolean; problem?: string; credentialId: string; keySource: 'log' | 'database'; loggedKey: { logIndex: number } | null; keyProblem?: string };
  timeline: Array<{ logIndex: number; type: string; at: string; actor: string }>;
  decisions: Array<{ decision: string; comment: string; question: string | null; createdAt: number; reviewerName: string; answers: Array<{ answer: string }> }>;
}

export function CasePage(props: { me: Me; id: string }) {
  const [data, setData] = useState<CaseData | null>(null);
  const [decision, setDecision] = useState('justified');
  const [comment, setComment] = useState('');
  const [question, setQuestion] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [saved, setSaved] = useState(false);
  const load = () => api.get<CaseData>(`/compliance/contacts/${props.id}`).then(setData);
  useEffect(() => {
    void load();
  }, [props.id]);
  if (!data) return <p>Loading…</p>;
  const r = data.record;
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors(noErrors);
    setSaved(false);
    try {
      await api.post(`/compliance/contacts/${props.id}/decisions`, { decision, comment, ...(decision === 'needs_information' ? { question } : {}) });
      setComment('');
      setQuestion('');
      setSaved(true);
      await load();
    } catch (err) {
      setErrors(formErrors(err));
    }
  };
  return (
    <section>
      <div class="page-head">
        <h1>
          {r.caseReference} <Badge>{r.review.status.replace('_', ' ')}</Badge>
        </h1>
        <p class="muted">
          {r.requestingCountry} → {r.requestedCountry} · opened {when(r.openedAt)}
        </p>
      </div>
      <div class="grid">
        <div>
          <div class={`panel signature ${data.signature.valid ? 'valid' : 'invalid'}`} data-testid="signature-status">
            {data.signature.valid ? '✔ Passkey signature verified' : `✘ Signature invalid: ${data.signature.problem}`}
            {data.signature.keyProblem && <div data-testid="signature-key-problem">⚠ {data.signature.keyProblem}</div>}
            <div class="small muted">
              {data.signature.loggedKey
                ? `Re-verified now from the stored WebAuthn assertion and the passkey’s public key as the log recorded it (log index ${data.signature.loggedKey.logIndex}).`
                : 'Re-verified now from the stored WebAuthn assertion and the credential’s public key.'}
            </div>
          </div>
          <div class="panel">
            <h2>Justification</h2>
            {r.integrity && !r.integrity.matchesLog && (
              <Notice kind="error">
                <span data-testid="record-differs-from-log">
                  {r.integrity.openingLogIndex === null
                    ? '⚠ The log holds no signed opening entry for this contact: nothing in this record is backed by the log.'
                    : `⚠ The database record differs from the justification signed in the log (leaf ${r.integrity.openingLogIndex}): ${r.integrity.mismatchedColumns.join(', ')}. Shown here are the signed grounds; the database says ${(r.integrity.databaseGrounds ?? []).map((g) => GROUND_WORDING[g]?.title ?? g).join(' · ') || 'nothing readable'}.`}
                </span>
              </Notice>
            )}
            <p>
              <strong>{r.grounds.map((g) => GROUND_WORDING[g]?.title ?? g).join(' · ')}</strong> · handling {r.handlingCode}
            </p>
            <p>{r.narrative}</p>
            <p>
              <strong>Sought:</strong> {r.soughtInformation}
            </p>
            <p class="muted">
              {r.requester.displayName} ({r.requester.agencyName}) → {r.counterparts.map((c) => `${c.displayName} (${c.agencyName ?? ''})`).join(', ')}
            </p>
          </div>
          <div class="panel">
            <h2>Timeline (from the tamper-evident log)</h2>
            <ol class="timeline">
              {data.timeline.map((t) => (
                <li>
                  <span class="muted">{new Date(t.at).toLocaleString()}</span> {t.type.replace(/[._]/g, ' ')} <span class="small muted">({t.actor}, leaf {t.logIndex})</span>
                </li>
              ))}
            </ol>
            {data.timeline.length > 0 && (
              <p class="small">
                <a href={`/api/v1/log/export?from=${data.timeline[0]!.logIndex}`} download={`exigent-log-${props.id}.jsonl`} data-testid="case-log-export">
                  Download the verifiable log export
                </a>{' '}
                from this contact’s opening entry on, to prove it offline with{' '}
                <code>verify-log exigent-log-{props.id}.jsonl --key log.vkey --contact {props.id}</code> (README, “Verifying one urgent contact offline”).
              </p>
            )}
          </div>
        </div>
        <aside class="side">
          <div class="panel">
            <h2>NCB notifications</h2>
            {r.notifications.map((n) => (
              <p>
                {n.countryCode} ({n.side}): {n.acknowledgedAt ? `acknowledged after ${Math.round((n.acknowledgedAt - n.createdAt) / 60_000)} min` : 'not acknowledged'}
                {n.escalationLevel > 0 && <Badge tone="bad">escalated ×{n.escalationLevel}</Badge>}
              </p>
            ))}
          </div>
          <div class="panel">
            <h2>Formal request</h2>
            {r.formalRequest ? (
              <p>
                <Badge tone={r.formalRequest.overdue ? 'bad' : 'neutral'}>{r.formalRequest.overdue ? 'overdue' : r.formalRequest.state}</Badge> due {when(r.formalRequest.deadlineAt)}
                {r.formalRequest.submittedAt && <> · submitted {when(r.formalRequest.submittedAt)}</>}
              </p>
            ) : (
              '—'
            )}
          </div>
          <div class="panel">
            <h2>Messages (metadata only)</h2>
            <p>
              {r.messages.count} messages · first {when(r.messages.firstAt)} · last {when(r.messages.lastAt)}
            </p>
          </div>
          <div class="panel">
            <h2>Decisions</h2>
            {data.decisions.map((d) => (
              <div class="decision">
                <Badge>{d.decision.replace('_', ' ')}</Badge> {when(d.createdAt)} by {d.reviewerName}
                <p>{d.comment}</p>
                {d.question && <p>Question: {d.question}</p>}
                {d.answers.map((a) => (
                  <p class="muted">Answer: {a.answer}</p>
                ))}
              </div>
            ))}
            {props.me.role === 'compliance' && (
              <form onSubmit={submit} novalidate>
                {errors.general && <Notice kind="error">{errors.general}</Notice>}
                {saved && <Notice kind="success">Decision recorded in the log.</Notice>}
                <fieldset class="field">
                  <legend>Decision</legend>
                  {['justified', 'not_justified', 'needs_information'].map((value) => (
                    <label class="choice">
                      <input type="radio" name="decision" value={value} checked={decision === value} onChange={() => setDecision(value)} /> {value.replace('_', ' ')}
                    </label>
                  ))}
                </fieldset>
                <Field label="Comment" name="comment" error={errors.fields.comment}>
                  <textarea id="comment" rows={3} value={comment} onInput={(e: InputEvent) => setComment((e.target as HTMLTextAreaElement).value)} />
                </Field>
                {decision === 'needs_information' && (
                  <Field label="Question to the investigator" name="question" error={errors.fields.question}>
                    <textarea id="question" rows={2} value={question} onInput={(e: InputEvent) => setQuestion((e.target as HTMLTextAreaElement).value)} />
                  </Field>
                )}
                <button type="submit" class="primary">
                  Record decision
                </button>
              </form>
            )}
          </div>
        </aside>
      </div>
    </section>
  );
}
