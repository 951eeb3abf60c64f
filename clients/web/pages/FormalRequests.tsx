/** @jsxImportSource hono/jsx/dom */
/** @module The formal-request tracker for an NCB's country: deadlines, overdue highlighting, the receiving side's steps. */
import { useEffect, useState } from 'hono/jsx';
import { api } from '../lib/api';
import { formatRemaining, urgency } from '../lib/countdown';
import { Badge, when, TableHead } from '../components/ui';
import type { FormalRequest } from './FormalRequestPanel';

export function FormalRequestsPage() {
  const [requests, setRequests] = useState<FormalRequest[]>([]);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const now = Date.now();
  const load = () => api.get<{ requests: FormalRequest[] }>(`/formal-requests${overdueOnly ? '?overdue=true' : ''}`).then((r) => setRequests(r.requests));
  useEffect(() => {
    void load();
  }, [overdueOnly]);
  const step = async (id: string, to: string) => {
    await api.post(`/formal-requests/${id}/transitions`, { to });
    await load();
  };
  return (
    <section>
      <div class="page-head">
        <h1>Formal requests</h1>
        <label class="choice">
          <input type="checkbox" checked={overdueOnly} onChange={() => setOverdueOnly(!overdueOnly)} /> Overdue only
        </label>
      </div>
      <table>
        <TableHead columns={['Case', 'Countries', 'State', 'Deadline']} actions />
        <tbody>
          {requests.map((r) => (
            <tr class={r.overdue ? 'overdue' : ''}>
              <td>{r.caseReference}</td>
              <td>
                {r.requestingCountry} → {r.requestedCountry}
              </td>
              <td>
                <Badge tone={r.overdue ? 'bad' : r.state === 'pending' || r.state === 'drafted' ? 'warn' : 'good'}>{r.overdue ? 'overdue' : r.state}</Badge>
              </td>
              <td class={urgency(r.openedAt, r.deadlineAt, now)}>
                {when(r.deadlineAt)}
                {(r.state === 'pending' || r.state === 'drafted') && <div class="small">{formatRemaining(r.deadlineAt, now)}</div>}
              </td>
              <td class="actions">
                {r.state === 'submitted' && <button onClick={() => step(r.id, 'acknowledged')}>Acknowledged</button>}
                {r.state === 'acknowledged' && (
                  <>
                    <button onClick={() => step(r.id, 'executed')}>Executed</button>
                    <button onClick={() => step(r.id, 'refused')}>Refused</button>
                  </>
                )}
                <a class="button" href={`/api/v1/formal-requests/${r.id}/document`} download>
                  PDF
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {requests.length === 0 && <div class="empty">No formal requests.</div>}
    </section>
  );
}
