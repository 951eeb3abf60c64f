/**
 * @module Node's count of open live streams per device and per session, for the caps of src/relay/streamLimits.ts.
 * One process holds every stream, so counting in memory is exact: a place is claimed synchronously, before the
 * stream opens, and released when it closes.
 */
import type { Config } from '../../config/loadConfig';
import { tooManyDeviceStreams, tooManySessionStreams } from '../../relay/streamLimits';

export interface StreamSlots {
  /** Takes a place for a stream of the session (and of the device, for a device stream); returns its release. */
  claim(input: { tokenHash: string; deviceId?: string }): () => void;
}

export function streamSlots(config: Pick<Config, 'streamsPerDevice' | 'streamsPerSession'>): StreamSlots {
  const perSession = new Map<string, number>();
  const perDevice = new Map<string, number>();
  const add = (counts: Map<string, number>, key: string, delta: number) => {
    const count = (counts.get(key) ?? 0) + delta;
    if (count === 0) counts.delete(key);
    else counts.set(key, count);
  };
  return {
    claim({ tokenHash, deviceId }) {
      if (deviceId !== undefined && (perDevice.get(deviceId) ?? 0) >= config.streamsPerDevice) throw tooManyDeviceStreams(config.streamsPerDevice);
      if ((perSession.get(tokenHash) ?? 0) >= config.streamsPerSession) throw tooManySessionStreams(config.streamsPerSession);
      add(perSession, tokenHash, 1);
      if (deviceId !== undefined) add(perDevice, deviceId, 1);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        add(perSession, tokenHash, -1);
        if (deviceId !== undefined) add(perDevice, deviceId, -1);
      };
    },
  };
}
