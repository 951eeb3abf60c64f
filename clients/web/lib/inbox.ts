/**
 * @module This device's message history and live events. Decrypted messages are kept in the browser's IndexedDB —
 * the server erases ciphertext once delivered, so this device is the only place a conversation lives on.
 */
import type { AttachmentRef } from '../../sdk/crypto';
import type { Messenger, ReceivedMessage } from '../../sdk/messenger';
import { idbGet, idbPut } from './idb';

export interface StoredMessage {
  messageId: string;
  conversationId: string;
  senderUserId: string;
  mine: boolean;
  at: number;
  text: string;
  attachments: AttachmentRef[];
  deliveredTo: string[];
  readBy: string[];
}

type Listener = () => void;
const listeners = new Set<Listener>();
const cache = new Map<string, StoredMessage[]>();

export function onInboxChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const changed = () => listeners.forEach((l) => l());

export async function history(conversationId: string): Promise<StoredMessage[]> {
  let list = cache.get(conversationId);
  if (!list) {
    list = (await idbGet<StoredMessage[]>('messages', conversationId)) ?? [];
    cache.set(conversationId, list);
  }
  return list;
}

async function update(conversationId: string, change: (list: StoredMessage[]) => void) {
  const list = await history(conversationId);
  change(list);
  await idbPut('messages', conversationId, list);
  changed();
}

export function recordSent(message: StoredMessage) {
  return update(message.conversationId, (list) => list.push(message));
}

async function recordReceived(m: ReceivedMessage) {
  if (m.content.type === 'read') {
    const ids = new Set(m.content.messageIds);
    return update(m.conversationId, (list) => {
      for (const stored of list) if (ids.has(stored.messageId) && !stored.readBy.includes(m.senderUserId)) stored.readBy.push(m.senderUserId);
    });
  }
  const content = m.content;
  return update(m.conversationId, (list) => {
    if (list.some((x) => x.messageId === m.messageId)) return;
    list.push({ messageId: m.messageId, conversationId: m.conversationId, senderUserId: m.senderUserId, mine: false, at: m.receivedAt, text: content.text, attachments: content.attachments ?? [], deliveredTo: [], readBy: [] });
  });
}

/** Connects the device's stream once per session; every page reads from the local history it fills. */
export function startInbox(messenger: Messenger): void {
  const connect = () => {
    const stream = messenger.connect({
      onMessage: (m) => void recordReceived(m),
      onReceipt: (r) => {
        for (const [conversationId, list] of cache) {
          const stored = list.find((x) => x.messageId === r.messageId);
          if (stored && !stored.deliveredTo.includes(r.deviceId)) void update(conversationId, () => stored.deliveredTo.push(r.deviceId));
        }
      },
    });
    // Reconnect after a network drop; the server replays whatever arrived meanwhile.
    void stream.closed.then(() => setTimeout(connect, 2000));
  };
  connect();
}
