/** @jsxImportSource hono/jsx/dom */
/** @module The review queue with its filters (compliance; NCB officers read their own country), and the exports. */
import { useEffect, useState } from 'hono/jsx';
import { api, type Me } from '../lib/api';
import { Badge, GROUND_WORDING, Link, when } from '../components/ui';

interface Record_ {
  id: string;
  openedAt: number;
  requestingCountry: string;
  requestedCountry: string;
  requester: { displayName: string; agencyName: string };
  grounds: string[];
  caseReference: string;
  notifications: Array<{ acknowledgedAt: number | null; escalationLevel: number }>;
  formalRequest: { state: string; overdue: boolean } | null;
  messages: { count: number };
  review: { status: string };
  integrity?: { matchesLog: boolean; openingLogIndex: number | null; mismatchedColumns: string[] };
}

const FILTERS = ['reviewStatus', 'ground', 'country', 'from', 'to', 'overdue', 'unacknowledged', 'escalated'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

export function ReviewQueue(props: { me: Me }) {
  const [filters, setFilters] = useState<Filters>({});
  const [records, setRecords] = useState<Record_[] | null>(null);
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v) as Array<[string, string]>).toString();
  useEffect(() => {
    void api.get<{ contacts: Record_[] }>(`/compliance/contacts${query ? `?${query}` : ''}`).then((r) => setRecords(r.contacts));
  }, [query]);
  const set = (name: keyof Filters) => (e: Event) => setFilters({ ...filters, [name]: (e.target as HTMLInputElement).value });
  const tone = (s: string) => (s === 'justified' ? 'good' : s === 'not_justified' ? 'bad' : s === 'needs_information' ? 'warn' : 'neutral');
  return (
    <section>
      <div class="page-head">
        <h1>{props.me.role === 'compliance' ? 'Review queue' : `Urgent contacts concerning ${props.me.countryCode}`}</h1>
        <div class="actions">
          <a class="button" href={`/api/v1/compliance/export?format=csv&${query}`} download>
            Export CSV
          </a>
          <a class="button" href={`/api/v1/compliance/export?format=jsonl&${query}`} download>
            Export JSON Lines
          </a>
        </div>
      </div>
      <form class="filters" aria-label="Filters" onSubmit={(e: Event) => e.preventDefault()}>
        <label>
          Review
          <select onChange={set('reviewStatus')}>
            <option value="">Any</option>
            {['unreviewed', 'justified', 'not_justified', 'needs_information'].map((s) => (
              <option value={s}>{s.replace('_', ' ')}</option>
            ))}
          </select>
        </label>
        <label>
          Ground
          <select onChange={set('ground')}>
            <option value="">Any</option>
            {Object.entries(GROUND_WORDING).map(([v, w]) => (
              <option value={v}>{w.title}</option>
            ))}
          </select>
        </label>
        <label>
          Country
          <input size={3} maxlength={2} placeholder="PL" onChange={(e: Event) => setFilters({ ...filters, country: (e.target as HTMLInputElement).value.toUpperCase() })} />
        </label>
        <label>
          From
          <input type="date" onChange={set('from')} />
        </label>
        <label>
          To
          <input type="date" onChange={set('to')} />
        </label>
        {(['overdue', 'unacknowledged', 'escalated'] as const).map((name) => (
          <label class="choice">
            <input type="checkbox" onChange={(e: Event) => setFilters({ ...filters, [name]: (e.target as HTMLInputElement).checked ? 'true' : '' })} /> {name}
          </label>
        ))}
      </form>
      {records === null ? (
        <p>Loading…</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Opened</th>
              <th>Case</th>
              <th>Countries</th>
              <th>Grounds</th>
              <th>Investigator</th>
              <th>NCBs</th>
              <th>Formal request</th>
              <th>Messages</th>
              <th>Review</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr>
                <td>{when(r.openedAt)}</td>
                <td>
                  <Link href={`/review/${r.id}`}>{r.caseReference}</Link>
                </td>
                <td>
                  {r.requestingCountry} → {r.requestedCountry}
                </td>
                <td>
                  {r.grounds.map((g) => GROUND_WORDING[g]?.title ?? g).join(', ')}
                  {r.integrity && !r.integrity.matchesLog && (
                    <div>
                      <Badge tone="bad">{r.integrity.openingLogIndex === null ? 'not in the log' : `record differs from log: ${r.integrity.mismatchedColumns.join(', ')}`}</Badge>
                    </div>
                  )}
                </td>
                <td>
                  {r.requester.displayName}
                  <div class="small muted">{r.requester.agencyName}</div>
                </td>
                <td>
                  {r.notifications.every((n) => n.acknowledgedAt) ? <Badge tone="good">acknowledged</Badge> : <Badge tone="warn">pending</Badge>}
                  {r.notifications.some((n) => n.escalationLevel > 0) && <Badge tone="bad">escalated</Badge>}
                </td>
                <td>{r.formalRequest ? <Badge tone={r.formalRequest.overdue ? 'bad' : 'neutral'}>{r.formalRequest.overdue ? 'overdue' : r.formalRequest.state}</Badge> : '—'}</td>
                <td>{r.messages.count}</td>
                <td>
                  <Badge tone={tone(r.review.status)}>{r.review.status.replace('_', ' ')}</Badge>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {records?.length === 0 && <div class="empty">Nothing matches these filters.</div>}
    </section>
  );
}
