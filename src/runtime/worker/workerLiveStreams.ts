/**
 * @module Live streams on Workers: the route has authorised the request; it is handed, with who the caller is, to
 * the LiveHub object of the stream's channel (the device, or the officer's NCB), where the connection terminates.
 * A stream the object refuses for a cap comes back as the TooManyRequests problem it is.
 */
import { sessionTokenHash } from '../../auth/sessions';
import { TooManyRequests } from '../../errors';
import type { LiveStreams } from '../../http/liveStreams';
import type { Env } from './env';
import { HANDOVER_HEADER, type Handover } from './liveHub';

export function workerLiveStreams(env: Env): LiveStreams {
  async function handOver(request: Request, handover: Handover): Promise<Response> {
    const headers = new Headers(request.headers);
    // Overwrites anything a client sent under the same name: only this code speaks for the caller.
    headers.set(HANDOVER_HEADER, JSON.stringify(handover));
    const answer = await env.LIVE.get(env.LIVE.idFromName(handover.host)).fetch(new Request(request.url, { method: 'GET', headers, signal: request.signal }));
    if (answer.status === 429) {
      const { detail, retryAfterSeconds } = await answer.json<{ detail: string; retryAfterSeconds: number }>();
      throw new TooManyRequests(detail, retryAfterSeconds);
    }
    // A response from another object has immutable headers; the app's middleware still adds its own.
    return new Response(answer.body, { status: answer.status, headers: answer.headers, webSocket: answer.webSocket });
  }
  return {
    async device(c, { actor, deviceId, sessionToken }) {
      return handOver(c.req.raw, { kind: 'device', host: deviceId, actor, deviceId, sessionTokenHash: await sessionTokenHash(sessionToken) });
    },
    async inbox(c, { actor, sessionToken }) {
      return handOver(c.req.raw, { kind: 'inbox', host: `ncb:${actor.agencyId}`, actor, sessionTokenHash: await sessionTokenHash(sessionToken) });
    },
  };
}
