/**
 * @module A LiveHub object's own in-memory hub, which also tells how many listeners an event reached: an account's
 * object forgets the hosts where nobody listens on the account's channel any more.
 */
import { createLocalDeliveryHub, type DeliveryHub, type HubEvent } from '../../relay/deliveryHub';

/** The in-memory hub, also telling how many listeners an event reached. */
export function countingHub(): DeliveryHub & { publishCounted(channel: string, event: HubEvent): number } {
  const hub = createLocalDeliveryHub();
  const counts = new Map<string, number>();
  return {
    publish: (channel, event) => hub.publish(channel, event),
    publishCounted(channel, event) {
      hub.publish(channel, event);
      return counts.get(channel) ?? 0;
    },
    subscribe(channel, listener) {
      counts.set(channel, (counts.get(channel) ?? 0) + 1);
      const unsubscribe = hub.subscribe(channel, listener);
      return () => {
        counts.set(channel, (counts.get(channel) ?? 1) - 1);
        if (counts.get(channel) === 0) counts.delete(channel);
        unsubscribe();
      };
    },
  };
}
