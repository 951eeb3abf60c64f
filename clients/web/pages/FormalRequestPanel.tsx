/** @jsxImportSource hono/jsx/dom */
/** @module The follow-up formal request beside a contact: deadline countdown, draft, the next steps, the PDF. */
import { useEffect, useState } from 'hono/jsx';
import { api, type Me } from '../lib/api';
import { formatRemaining, urgency } from '../lib/countdown';
import { formErrors } from '../lib/fieldErrors';
import { Badge, Notice, when } from '../components/ui';

export interface FormalRequest {
  id: string;
  state: string;
  instrument: string;
  openedAt: number;
  deadlineAt: number;
  overdue: boolean;
  channel: string | null;
  channelReference: string | null;
  submittedAt: number | null;
  requesterUserId: string;
  caseReference: string;
  requestingCountry: string;
  requestedCountry: string;
  draft: { facts: string; measuresSought: string; requestedAuthority: string };
}

const NEXT: Record<string, Array<[string, string]>> = {
  pending: [['drafted', 'Mark drafted']],
  drafted: [['submitted', 'Record submission']],
  submitted: [['acknowledged', 'Receiving side acknowledged']],
  acknowledged: [
    ['executed', 'Executed'],
    ['refused', 'Refused'],
  ],
};

export function FormalRequestPanel(props: { id: string; me: Me; now: number }) {
  const [request, setRequest] = useState<FormalRequest | null>(null);
  const [instruments, setInstruments] = useState<Array<{ id: string; name: string; channels: string[] }>>([]);
  const [channel, setChannel] = useState('');
  const [reference, setReference] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ facts: string; measuresSought: string } | null>(null);
  const load = () => api.get<FormalRequest>(`/formal-requests/${props.id}`).then(setRequest);
  useEffect(() => {
    void load();
    void api.get<{ instruments: Array<{ id: string; name: string; channels: string[] }> }>('/legal-instruments').then((r) => setInstruments(r.instruments));
  }, [props.id]);
  if (!request) return null;
  const instrument = instruments.find((i) => i.id === request.instrument);
  const level = urgency(request.openedAt, request.deadlineAt, props.now);
  const step = async (to: string) => {
    setError(null);
    try {
      await api.post(`/formal-requests/${request.id}/transitions`, to === 'submitted' ? { to, channel, channelReference: reference } : { to });
      await load();
    } catch (e) {
      const f = formErrors(e);
      setError(f.general ?? Object.values(f.fields).join(' '));
    }
  };
  const awaiting = request.state === 'pending' || request.state === 'drafted';
  return (
    <div class={`panel formal ${level}`}>
      <h2>Formal request</h2>
      <p>
        <Badge tone={request.overdue ? 'bad' : awaiting ? 'warn' : 'good'}>{request.overdue ? 'overdue' : request.state}</Badge> {instrument?.name ?? request.instrument}
      </p>
      {awaiting && (
        <p class={`countdown ${level}`} role="timer">
          Submit by {when(request.deadlineAt)} — {formatRemaining(request.deadlineAt, props.now)}
        </p>
      )}
      {request.submittedAt && (
        <p class="muted">
          Submitted {when(request.submittedAt)} via {request.channel} (ref. {request.channelReference})
        </p>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {awaiting && props.me.id === request.requesterUserId && (
        editing ? (
          <form
            onSubmit={async (e: Event) => {
              e.preventDefault();
              try {
                await api.request('PATCH', `/formal-requests/${request.id}`, { draft: editing });
                setEditing(null);
                await load();
              } catch (err) {
                setError(formErrors(err).general ?? 'Saving failed');
              }
            }}
          >
            <label for="facts">Summary of the facts</label>
            <textarea id="facts" rows={5} value={editing.facts} onInput={(e: InputEvent) => setEditing({ ...editing, facts: (e.target as HTMLTextAreaElement).value })} />
            <label for="measures">Measures sought</label>
            <textarea id="measures" rows={3} value={editing.measuresSought} onInput={(e: InputEvent) => setEditing({ ...editing, measuresSought: (e.target as HTMLTextAreaElement).value })} />
            <div class="actions">
              <button type="submit" class="primary">
                Save draft
              </button>
              <button type="button" onClick={() => setEditing(null)}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <button onClick={() => setEditing({ facts: request.draft.facts, measuresSought: request.draft.measuresSought })}>Edit the request text</button>
        )
      )}
      {request.state === 'drafted' && props.me.id === request.requesterUserId && (
        <div class="row">
          <label>
            Channel
            <select onChange={(e: Event) => setChannel((e.target as HTMLSelectElement).value)}>
              <option value="">Choose…</option>
              {(instrument?.channels ?? []).map((c) => (
                <option value={c}>{c.replace(/_/g, ' ')}</option>
              ))}
            </select>
          </label>
          <label>
            Reference
            <input value={reference} onInput={(e: InputEvent) => setReference((e.target as HTMLInputElement).value)} />
          </label>
        </div>
      )}
      <div class="actions">
        {(NEXT[request.state] ?? [])
          .filter(([to]) => (['drafted', 'submitted'].includes(to) ? props.me.id === request.requesterUserId : props.me.role === 'ncb_officer'))
          .map(([to, label]) => (
            <button onClick={() => step(to)}>{label}</button>
          ))}
        <a class="button" href={`/api/v1/formal-requests/${request.id}/document`} download>
          Download PDF
        </a>
      </div>
    </div>
  );
}
