/**
 * @module Where live connections terminate, supplied by the runtime: on Node in this process (node-ws and the
 * in-memory hub), on Workers in a Durable Object (hibernatable WebSockets). Routes authorise the request and hand
 * it over; what flows over the stream is domain code (src/relay/deviceStream.ts, src/ncb/inboxStream.ts).
 */
import type { Context } from 'hono';
import type { Actor } from '../directory/actor';
import type { AppEnv } from './appEnv';

export interface LiveStreams {
  /**
   * Takes over the WebSocket upgrade of a device stream; role, Origin, device ownership and the Upgrade header are
   * checked. Throws TooManyRequests (src/relay/streamLimits.ts) when the device or the session has all its streams.
   */
  device(c: Context<AppEnv>, input: { actor: Actor; deviceId: string; sessionToken: string }): Response | Promise<Response>;
  /** Answers with the NCB inbox's event stream (or throws TooManyRequests, as above); the role is checked. */
  inbox(c: Context<AppEnv>, input: { actor: Actor; sessionToken: string }): Response | Promise<Response>;
}
