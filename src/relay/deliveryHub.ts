/**
 * @module Real-time fan-out to connected devices. Durable state is always the database (the delivery queue);
 * the hub only pushes a copy to whoever is listening right now, so a lost push costs nothing but latency.
 * In one Node process this is an in-memory map; on Workers it becomes a Durable Object per device.
 */
import type { EnvelopeV1 } from './envelopeFormat';

export type RelayEvent =
  | { type: 'envelope'; seq: number; messageId: string; conversationId: string; senderUserId: string; receivedAt: number; envelope: EnvelopeV1 }
  | { type: 'receipt'; messageId: string; deviceId: string; deliveredAt: number };

export interface DeliveryHub {
  publish(deviceId: string, event: RelayEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(deviceId: string, listener: (event: RelayEvent) => void): () => void;
}

export function createLocalDeliveryHub(): DeliveryHub {
  const listeners = new Map<string, Set<(event: RelayEvent) => void>>();
  return {
    publish(deviceId, event) {
      for (const listener of listeners.get(deviceId) ?? []) listener(event);
    },
    subscribe(deviceId, listener) {
      let set = listeners.get(deviceId);
      if (!set) listeners.set(deviceId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(deviceId);
      };
    },
  };
}
