/** @jsxImportSource hono/jsx/dom */
/**
 * @module One urgent contact for its investigators: the E2E conversation (attachments, delivery and read receipts,
 * safety numbers, key-change warnings), the handling code, the NCB notifications, the formal request with its
 * deadline clock, compliance's questions, and closing.
 */
import { useEffect, useRef, useState } from 'hono/jsx';
import { deviceFingerprint, safetyNumber, sodiumReady, type AttachmentRef, type KeyChange } from '../../sdk/crypto';
import type { ConversationRecord, Messenger } from '../../sdk/messenger';
import { api, type Me } from '../lib/api';
import { formErrors } from '../lib/fieldErrors';
import { history, onInboxChange, recordSent, type StoredMessage } from '../lib/inbox';
import { describeKeyChange } from '../lib/keyWarnings';
import { Badge, GROUND_WORDING, HANDLING_WORDING, Notice, when } from '../components/ui';
import { FormalRequestPanel } from './FormalRequestPanel';

interface ContactDetail {
  id: string;
  status: 'open' | 'closed';
  requesterUserId: string;
  requesterName: string;
  requestingCountry: string;
  requestedCountry: string;
  grounds: string[];
  caseReference: string;
  offenceCategory: string;
  narrative: string;
  soughtInformation: string;
  handlingCode: string;
  handlingConditions: string | null;
  conversationId: string;
  openedAt: number;
  justificationHash: string;
  counterparts: Array<{ userId: string; displayName: string; agencyName: string | null; handlingAcknowledgedAt: number | null }>;
  notifications: Array<{ id: string; side: string; countryCode: string; agencyName: string; createdAt: number; acknowledgedAt: number | null; escalationLevel: number }>;
  formalRequest: { id: string } | null;
}

interface Decision {
  id: string;
  decision: string;
  comment: string;
  question: string | null;
  createdAt: number;
  reviewerName: string;
  answers: Array<{ answer: string; createdAt: number }>;
}

export function ContactPage(props: { me: Me; id: string; messenger: Messenger }) {
  const { me, messenger } = props;
  const [contact, setContact] = useState<ContactDetail | null>(null);
  const [conversation, setConversation] = useState<ConversationRecord | null>(null);
  const [changes, setChanges] = useState<KeyChange[]>([]);
  const [messages, setMessages] = useState<StoredMessage[]>([]);
  const [decisions, setDecisions] = useState<Decision[]>([]);
  const [error, setError] = useState<string | null>(null);
  // A failed send or close is shown beside the composer; the page and everything typed stay.
  const [actionError, setActionError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [sending, setSending] = useState(false);
  const [safety, setSafety] = useState<Record<string, string>>({});
  const [fingerprints, setFingerprints] = useState<Array<{ owner: string; device: string; fingerprint: string }>>([]);
  const [now, setNow] = useState(Date.now());
  const readSent = useRef(new Set<string>());

  const load = async () => {
    const detail = await api.get<ContactDetail>(`/urgent-contacts/${props.id}`);
    setContact(detail);
    const { record, changes: keyChanges } = await messenger.conversation(detail.conversationId);
    setConversation(record);
    if (keyChanges.length) setChanges(keyChanges);
    setMessages([...(await history(detail.conversationId))]);
    setDecisions((await api.get<{ decisions: Decision[] }>(`/urgent-contacts/${props.id}/reviews`)).decisions);
  };
  useEffect(() => {
    load().catch((e) => setError(formErrors(e).general));
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, [props.id]);
  useEffect(() => {
    if (!contact) return;
    const refresh = () => void history(contact.conversationId).then((list) => setMessages([...list]));
    return onInboxChange(refresh);
  }, [contact?.conversationId]);
  // Tell the sender (end-to-end) which of their messages this user has now seen.
  useEffect(() => {
    if (!contact || document.hidden) return;
    const unread = messages.filter((m) => m.senderUserId !== me.id && !readSent.current.has(m.messageId)).map((m) => m.messageId);
    if (unread.length === 0 || contact.status !== 'open') return;
    unread.forEach((id) => readSent.current.add(id));
    void messenger.markRead(contact.conversationId, unread).catch(() => unread.forEach((id) => readSent.current.delete(id)));
  }, [messages.length]);

  if (error) return <Notice kind="error">{error}</Notice>;
  if (!contact || !conversation) return <p>Loading…</p>;

  const nameOf = (userId: string) => conversation.members.find((m) => m.userId === userId)?.displayName ?? 'Someone';
  const otherDevices = conversation.members.flatMap((m) => m.devices.filter((d) => d.revokedAt === null && d.id !== messenger.device.deviceId)).length;
  const meAsCounterpart = contact.counterparts.find((c) => c.userId === me.id);

  const send = async (e: Event) => {
    e.preventDefault();
    if (!text.trim() && files.length === 0) return;
    setSending(true);
    setActionError(null);
    try {
      const attachments: AttachmentRef[] = [];
      for (const file of files) attachments.push(await messenger.uploadAttachment(contact.conversationId, { data: new Uint8Array(await file.arrayBuffer()), name: file.name, mediaType: file.type || 'application/octet-stream' }));
      const posted = await messenger.sendText(contact.conversationId, text.trim(), attachments);
      await recordSent({ messageId: posted.messageId, conversationId: contact.conversationId, senderUserId: me.id, mine: true, at: posted.receivedAt, text: text.trim(), attachments, deliveredTo: [], readBy: [] });
      setText('');
      setFiles([]);
    } catch (err) {
      setActionError(formErrors(err).general ?? 'Sending failed');
    } finally {
      setSending(false);
    }
  };

  const showSafety = async () => {
    await sodiumReady();
    const mine = { userId: me.id, identityKeys: conversation.members.find((m) => m.userId === me.id)!.devices.filter((d) => d.revokedAt === null).map((d) => d.identityKey) };
    const numbers: Record<string, string> = {};
    for (const member of conversation.members.filter((m) => m.userId !== me.id)) {
      numbers[member.userId] = await safetyNumber(mine, { userId: member.userId, identityKeys: member.devices.filter((d) => d.revokedAt === null).map((d) => d.identityKey) });
    }
    setSafety(numbers);
    const list = [];
    for (const member of conversation.members) {
      for (const device of member.devices.filter((d) => d.revokedAt === null)) {
        list.push({ owner: member.userId === me.id ? 'You' : member.displayName, device: device.name, fingerprint: await deviceFingerprint(device.identityKey) });
      }
    }
    setFingerprints(list);
  };

  return (
    <section class="contact">
      <div class="page-head">
        <div>
          <h1>
            {contact.caseReference} <Badge tone={contact.status === 'open' ? 'good' : 'neutral'}>{contact.status}</Badge>
          </h1>
          <p class="muted">
            {contact.requestingCountry} → {contact.requestedCountry} · {contact.offenceCategory} · opened {when(contact.openedAt)} by {contact.requesterName}
          </p>
        </div>
      </div>
      <div class="grid">
        <div class="chat-column">
          {changes.map((c) => (
            <Notice kind="warning">{describeKeyChange(c, nameOf(c.userId))}</Notice>
          ))}
          <Notice kind="info">
            <strong>{HANDLING_WORDING[contact.handlingCode]}</strong>
            {contact.handlingConditions && <> — {contact.handlingConditions}</>}
            {meAsCounterpart &&
              (meAsCounterpart.handlingAcknowledgedAt ? (
                <span class="muted"> · you acknowledged this {when(meAsCounterpart.handlingAcknowledgedAt)}</span>
              ) : (
                <button class="inline" onClick={async () => {
                  await api.post(`/urgent-contacts/${contact.id}/handling-acknowledgement`);
                  await load();
                }}>
                  I acknowledge the handling code
                </button>
              ))}
          </Notice>
          <ol class="messages" aria-live="polite" aria-label="Messages">
            {messages.length === 0 && <li class="muted">No messages yet. Messages are end-to-end encrypted: the server cannot read them.</li>}
            {messages.map((m) => (
              <li class={m.senderUserId === me.id ? 'message mine' : 'message'}>
                <div class="meta">
                  {m.senderUserId === me.id ? 'You' : nameOf(m.senderUserId)} · {when(m.at)}
                </div>
                {m.text && <p class="body">{m.text}</p>}
                {m.attachments.map((a) => (
                  <AttachmentView attachment={a} messenger={messenger} />
                ))}
                {m.senderUserId === me.id && (
                  <div class="receipt">
                    {m.readBy.length > 0 ? `Read by ${m.readBy.map(nameOf).join(', ')}` : m.deliveredTo.length > 0 ? `Delivered to ${m.deliveredTo.length} of ${otherDevices} devices` : 'Sent'}
                  </div>
                )}
              </li>
            ))}
          </ol>
          {actionError && <Notice kind="error">{actionError}</Notice>}
          {contact.status === 'open' ? (
            <form
              class="composer"
              onSubmit={send}
              onDragOver={(e: DragEvent) => e.preventDefault()}
              onDrop={(e: DragEvent) => {
                e.preventDefault();
                setFiles([...files, ...Array.from(e.dataTransfer?.files ?? [])]);
              }}
            >
              <label for="message" class="sr-only">
                Message
              </label>
              <textarea id="message" rows={2} placeholder="Write a message — or drop photos and PDFs here" value={text} onInput={(e: InputEvent) => setText((e.target as HTMLTextAreaElement).value)} />
              <div class="composer-actions">
                <label class="button">
                  Attach
                  <input type="file" multiple class="sr-only" onChange={(e: Event) => setFiles([...files, ...Array.from((e.target as HTMLInputElement).files ?? [])])} />
                </label>
                {files.map((f, i) => (
                  <span class="chip">
                    {f.name}{' '}
                    <button type="button" class="link" aria-label={`Remove ${f.name}`} onClick={() => setFiles(files.filter((_, j) => j !== i))}>
                      ×
                    </button>
                  </span>
                ))}
                <button type="submit" class="primary" disabled={sending}>
                  {sending ? 'Encrypting…' : 'Send'}
                </button>
              </div>
            </form>
          ) : (
            <Notice>This contact is closed; the conversation is read-only.</Notice>
          )}
        </div>
        <aside class="side">
          <div class="panel">
            <h2>Grounds</h2>
            <ul>
              {contact.grounds.map((g) => (
                <li>{GROUND_WORDING[g]?.title ?? g}</li>
              ))}
            </ul>
            <p>{contact.narrative}</p>
            <p class="muted small">Signed justification SHA-256 {contact.justificationHash.slice(0, 24)}…</p>
          </div>
          <div class="panel">
            <h2>NCB notifications</h2>
            <ul class="plain">
              {contact.notifications.map((n) => (
                <li>
                  {n.agencyName} ({n.countryCode}){' '}
                  {n.acknowledgedAt ? <Badge tone="good">acknowledged {when(n.acknowledgedAt)}</Badge> : <Badge tone={n.escalationLevel > 0 ? 'bad' : 'warn'}>{n.escalationLevel > 0 ? `escalated ×${n.escalationLevel}` : 'awaiting acknowledgement'}</Badge>}
                </li>
              ))}
            </ul>
          </div>
          {contact.formalRequest && <FormalRequestPanel id={contact.formalRequest.id} me={me} now={now} />}
          <div class="panel">
            <h2>Safety numbers</h2>
            {Object.keys(safety).length === 0 ? (
              <button onClick={showSafety}>Show safety numbers</button>
            ) : (
              <>
                {Object.entries(safety).map(([userId, number]) => (
                  <p>
                    With {nameOf(userId)}: <span class="fingerprint">{number}</span>
                  </p>
                ))}
                <details>
                  <summary>Device fingerprints</summary>
                  <ul class="plain small">
                    {fingerprints.map((f) => (
                      <li>
                        {f.owner} · {f.device}: <span class="fingerprint">{f.fingerprint}</span>
                      </li>
                    ))}
                  </ul>
                </details>
              </>
            )}
          </div>
          {decisions.length > 0 && <Reviews contact={contact} me={me} decisions={decisions} reload={load} />}
          {contact.status === 'open' && (
            <button
              class="danger"
              onClick={async () => {
                const reason = prompt('Why is this urgent contact being closed?');
                if (reason) {
                  await api.post(`/urgent-contacts/${contact.id}/close`, { reason }).catch((e) => setActionError(formErrors(e).general));
                  await load();
                }
              }}
            >
              Close contact
            </button>
          )}
        </aside>
      </div>
    </section>
  );
}

function AttachmentView(props: { attachment: AttachmentRef; messenger: Messenger }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const image = props.attachment.mediaType.startsWith('image/');
  const open = async () => {
    try {
      const data = await props.messenger.downloadAttachment(props.attachment);
      setUrl(URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type: props.attachment.mediaType })));
    } catch (e) {
      setError(formErrors(e).general ?? 'Could not decrypt');
    }
  };
  useEffect(() => {
    if (image) void open();
  }, []);
  if (error) return <p class="error">{error}</p>;
  return (
    <div class="attachment">
      {image && url && <img src={url} alt={props.attachment.name} />}
      {url ? (
        <a href={url} download={props.attachment.name}>
          {props.attachment.name}
        </a>
      ) : (
        <button onClick={open}>Decrypt {props.attachment.name}</button>
      )}{' '}
      <span class="muted">{Math.ceil(props.attachment.size / 1024)} KiB</span>
    </div>
  );
}

function Reviews(props: { contact: ContactDetail; me: Me; decisions: Decision[]; reload: () => Promise<void> }) {
  const [answer, setAnswer] = useState('');
  const latest = props.decisions.at(-1)!;
  return (
    <div class="panel">
      <h2>Compliance review</h2>
      {props.decisions.map((d) => (
        <div class="decision">
          <Badge tone={d.decision === 'justified' ? 'good' : d.decision === 'not_justified' ? 'bad' : 'warn'}>{d.decision.replace('_', ' ')}</Badge> {when(d.createdAt)}
          <p>{d.comment}</p>
          {d.question && <p><strong>Question:</strong> {d.question}</p>}
          {d.answers.map((a) => (
            <p class="muted">Answer: {a.answer}</p>
          ))}
        </div>
      ))}
      {latest.decision === 'needs_information' && props.contact.requesterUserId === props.me.id && (
        <form
          onSubmit={async (e: Event) => {
            e.preventDefault();
            await api.post(`/urgent-contacts/${props.contact.id}/answers`, { answer });
            setAnswer('');
            await props.reload();
          }}
        >
          <label for="answer">Your answer to compliance</label>
          <textarea id="answer" rows={3} value={answer} onInput={(e: InputEvent) => setAnswer((e.target as HTMLTextAreaElement).value)} />
          <button type="submit">Send answer</button>
        </form>
      )}
    </div>
  );
}
