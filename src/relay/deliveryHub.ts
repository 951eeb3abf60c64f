/**
 * @module Real-time fan-out to connected devices. Durable state is always the database (the delivery queue);
 * the hub only pushes a copy to whoever is listening right now, so a lost push costs nothing but latency.
 * In one Node process this is an in-memory map; on Workers it becomes a Durable Object per device.
 */
import type { EnvelopeV1 } from './envelopeFormat';

export type RelayEvent =
  | { type: 'envelope'; seq: number; messageId: string; conversationId: string; senderUserId: string; receivedAt: number; envelope: EnvelopeV1 }
  | { type: 'receipt'; messageId: string; deviceId: string; deliveredAt: number };

/** Pushed on `ncb:<agencyId>` channels to the NCB officers' live inbox. */
export type NcbEvent =
  | { type: 'notification'; notificationId: string; urgentContactId: string }
  | { type: 'acknowledged'; notificationId: string; by: string }
  | { type: 'escalated'; notificationId: string; level: number };

/**
 * Pushed on `user:<userId>` when sessions end: the live streams of the named sessions (by token hash: a logout, a
 * removed passkey, a login replacing a browser's session) or of all the account's sessions (disabled, role changed)
 * must end. Servers only: streams never forward it to clients.
 */
export type AccountEvent = { type: 'signed_out'; sessions: 'all' | readonly string[] };

/** Pushed on a device's channel when the device is revoked: its stream must end. Servers only, like AccountEvent. */
export type DeviceEvent = { type: 'device_revoked' };

export type HubEvent = RelayEvent | NcbEvent | AccountEvent | DeviceEvent;

/**
 * Channels are a device id (its envelopes, its revocation), `ncb:<agencyId>` (NCB inbox) or `user:<userId>` (ended
 * sessions, and delivery receipts for messages the account sent, which every one of its devices shows).
 */
/** What domain code needs: to publish. On Workers that is all an isolate has (streams subscribe in their object). */
export interface LivePublisher {
  publish(channel: string, event: HubEvent): void;
}

/** A hub that live streams can also listen on: the process's own on Node, a Durable Object's own on Workers. */
export interface DeliveryHub extends LivePublisher {
  /** Returns the unsubscribe function. */
  subscribe(channel: string, listener: (event: HubEvent) => void): () => void;
}

export function createLocalDeliveryHub(): DeliveryHub {
  const listeners = new Map<string, Set<(event: HubEvent) => void>>();
  return {
    publish(channel, event) {
      for (const listener of listeners.get(channel) ?? []) listener(event);
    },
    subscribe(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(channel);
      };
    },
  };
}
