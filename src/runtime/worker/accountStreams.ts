/**
 * @module An account's register of its open live streams on Workers, kept in the storage of the account's LiveHub
 * object (`user:<id>`). A session's streams sit in several objects (its devices', its NCB's), so this one place
 * answers where the account's streams are (the hosts its `user:` events are forwarded to) and how many streams each
 * session has open (its cap). A host leases a place here before it opens a stream and releases it when the stream
 * closes; a host that went away without releasing (an object reset) is found out by asking it which streams it holds.
 *
 * Each read-count-write below runs without awaiting anything but storage, so the object's input gate keeps it atomic:
 * two handshakes of one session cannot both take its last place.
 */

interface Lease {
  /** Token hash of the session the stream belongs to. */
  session: string;
  /** Name of the LiveHub object holding the stream. */
  host: string;
  at: number;
}

type Leases = Record<string, Lease>;

/** What the register needs of the objects holding streams. */
export interface StreamHosts {
  /** Which of `streamIds` the host still holds; a host that cannot answer is taken to hold them all. */
  held(host: string, streamIds: string[]): Promise<string[]>;
}

const KEY = 'streams';
/** A younger lease may belong to a stream its host is still opening, so it is never taken for a lost one. */
const GRACE_MS = 30_000;

const read = async (storage: DurableObjectStorage) => (await storage.get<Leases>(KEY)) ?? {};
const countOf = (leases: Leases, session: string) => Object.values(leases).filter((l) => l.session === session).length;

/** Distinct hosts holding a stream of the account. */
export async function streamHosts(storage: DurableObjectStorage): Promise<string[]> {
  return [...new Set(Object.values(await read(storage)).map((l) => l.host))];
}

/** Leases a place for stream `streamId` of `session` at `host`, unless the session already has `limit` streams. */
export async function leaseStream(
  storage: DurableObjectStorage,
  hosts: StreamHosts,
  input: { streamId: string; session: string; host: string; limit: number; now: number },
): Promise<boolean> {
  if (countOf(await read(storage), input.session) >= input.limit) {
    await dropLost(storage, hosts, input.now, (l) => l.session === input.session);
  }
  const leases = await read(storage);
  if (countOf(leases, input.session) >= input.limit) return false;
  leases[input.streamId] = { session: input.session, host: input.host, at: input.now };
  await storage.put(KEY, leases);
  return true;
}

export async function releaseStream(storage: DurableObjectStorage, streamId: string): Promise<void> {
  const leases = await read(storage);
  if (!(streamId in leases)) return;
  delete leases[streamId];
  await storage.put(KEY, leases);
}

/** Forgets the leases at `host`, which holds no stream of the account any more (it heard no event for one). */
export async function forgetHost(storage: DurableObjectStorage, host: string, now: number): Promise<void> {
  const leases = await read(storage);
  const lost = Object.entries(leases).filter(([, l]) => l.host === host && now - l.at >= GRACE_MS);
  if (lost.length === 0) return;
  for (const [id] of lost) delete leases[id];
  await storage.put(KEY, leases);
}

/** Drops the leases (among those `which` selects) whose host no longer holds their stream. */
async function dropLost(storage: DurableObjectStorage, hosts: StreamHosts, now: number, which: (lease: Lease) => boolean): Promise<void> {
  const byHost = new Map<string, string[]>();
  for (const [id, lease] of Object.entries(await read(storage))) {
    if (which(lease) && now - lease.at >= GRACE_MS) byHost.set(lease.host, [...(byHost.get(lease.host) ?? []), id]);
  }
  const lost = (await Promise.all([...byHost].map(async ([host, ids]) => {
    const held = new Set(await hosts.held(host, ids).catch(() => ids));
    return ids.filter((id) => !held.has(id));
  }))).flat();
  if (lost.length === 0) return;
  const leases = await read(storage);
  for (const id of lost) delete leases[id];
  await storage.put(KEY, leases);
}
