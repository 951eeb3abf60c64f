/** @jsxImportSource hono/jsx/dom */
/** @module An investigator's own urgent contacts, newest first, and the way to open a new one. */
import { useEffect, useState } from 'hono/jsx';
import { api } from '../lib/api';
import { onInboxChange } from '../lib/inbox';
import { Badge, GROUND_WORDING, Link, when } from '../components/ui';

interface ContactSummary {
  id: string;
  status: 'open' | 'closed';
  requesterName: string;
  requestingCountry: string;
  requestedCountry: string;
  grounds: string[];
  caseReference: string;
  openedAt: number;
}

export function InvestigatorHome() {
  const [contacts, setContacts] = useState<ContactSummary[] | null>(null);
  useEffect(() => {
    const load = () => void api.get<{ contacts: ContactSummary[] }>('/urgent-contacts').then((r) => setContacts(r.contacts));
    load();
    // A message in a conversation we have not seen yet usually means a colleague just opened a contact with us.
    return onInboxChange(load);
  }, []);
  return (
    <section>
      <div class="page-head">
        <h1>My urgent contacts</h1>
        <Link href="/new" class="button primary">
          Open urgent contact
        </Link>
      </div>
      <p class="lede">Direct contact with a foreign colleague is for exceptional cases only. Every contact is signed, notified to both NCBs and followed by a formal request.</p>
      {contacts === null ? (
        <p>Loading…</p>
      ) : contacts.length === 0 ? (
        <div class="empty">No urgent contacts yet.</div>
      ) : (
        <ul class="cards">
          {contacts.map((c) => (
            <li>
              <Link href={`/contacts/${c.id}`} class="card">
                <div class="card-head">
                  <strong>{c.caseReference}</strong>
                  <Badge tone={c.status === 'open' ? 'good' : 'neutral'}>{c.status}</Badge>
                </div>
                <div>
                  {c.requestingCountry} → {c.requestedCountry} · {c.grounds.map((g) => GROUND_WORDING[g]?.title ?? g).join(', ')}
                </div>
                <div class="muted">
                  Opened {when(c.openedAt)} by {c.requesterName}
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
