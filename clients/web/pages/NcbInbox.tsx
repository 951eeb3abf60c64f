/** @jsxImportSource hono/jsx/dom */
/**
 * @module The NCB officer's live inbox: unacknowledged notifications first with escalation badges, one-click
 * acknowledgement, the count in the tab title, and a sound and desktop notification when one arrives.
 */
import { useEffect, useState } from 'hono/jsx';
import { api } from '../lib/api';
import { Badge, GROUND_WORDING, Notice, when } from '../components/ui';

interface Notification {
  id: string;
  side: string;
  createdAt: number;
  acknowledgedAt: number | null;
  escalationLevel: number;
  urgentContactId: string;
  requestingCountry: string;
  requestedCountry: string;
  grounds: string[];
  narrative: string;
  caseReference: string;
  requesterName: string;
  counterparts: string[];
}

function chime() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.15);
  } catch {
    // No audio (autoplay policy): the title and list still change.
  }
}

export function NcbInbox() {
  const [items, setItems] = useState<Notification[]>([]);
  const [unacknowledged, setUnacknowledged] = useState(0);
  const [live, setLive] = useState(false);
  const [now, setNow] = useState(Date.now());
  const load = async () => {
    const r = await api.get<{ unacknowledged: number; notifications: Notification[] }>('/ncb/notifications');
    setItems(r.notifications);
    setUnacknowledged(r.unacknowledged);
  };
  useEffect(() => {
    void load();
    if ('Notification' in window && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
    const events = new EventSource('/api/v1/ncb/stream');
    events.addEventListener('ready', () => setLive(true));
    events.addEventListener('notification', () => {
      void load();
      chime();
      if ('Notification' in window && Notification.permission === 'granted') new Notification('Exigent: new urgent contact', { body: 'An urgent contact needs your NCB’s acknowledgement.' });
    });
    events.addEventListener('acknowledged', () => void load());
    events.addEventListener('escalated', () => void load());
    events.onerror = () => setLive(false);
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => {
      events.close();
      clearInterval(timer);
      document.title = 'Exigent';
    };
  }, []);
  useEffect(() => {
    document.title = unacknowledged > 0 ? `(${unacknowledged}) Exigent — acknowledge` : 'Exigent';
  }, [unacknowledged]);

  return (
    <section>
      <div class="page-head">
        <h1>Notifications {unacknowledged > 0 && <Badge tone="bad">{unacknowledged} to acknowledge</Badge>}</h1>
        <span class={`live ${live ? 'on' : 'off'}`}>{live ? '● Live' : '○ Reconnecting…'}</span>
      </div>
      {items.length === 0 && <div class="empty">No notifications.</div>}
      <ul class="cards">
        {items.map((n) => (
          <li class={`card notification${n.acknowledgedAt ? '' : ' pending'}`}>
            <div class="card-head">
              <strong>
                {n.caseReference} · {n.requestingCountry} → {n.requestedCountry}
              </strong>
              {n.acknowledgedAt ? (
                <Badge tone="good">acknowledged {when(n.acknowledgedAt)}</Badge>
              ) : n.escalationLevel > 0 ? (
                <Badge tone="bad">escalated ×{n.escalationLevel}</Badge>
              ) : (
                <Badge tone="warn">{Math.round((now - n.createdAt) / 60_000)} min waiting</Badge>
              )}
            </div>
            <p>
              <strong>{n.grounds.map((g) => GROUND_WORDING[g]?.title ?? g).join(' · ')}</strong>
            </p>
            <p>{n.narrative}</p>
            <p class="muted">
              {n.requesterName} → {n.counterparts.join(', ')} · opened {when(n.createdAt)} · your NCB is the {n.side} side
            </p>
            {!n.acknowledgedAt && (
              <button
                class="primary"
                onClick={async () => {
                  await api.post(`/ncb/notifications/${n.id}/acknowledge`);
                  await load();
                }}
              >
                Acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
      <Notice>Acknowledging records your name and the time in the tamper-evident log. Unacknowledged notifications escalate to every officer of your NCB and to the administrators.</Notice>
    </section>
  );
}
