/**
 * @module How a live stream follows the session it was opened under, the same on every runtime. A sign-out naming the
 * session (logout, a removed passkey, a login replacing it) or the whole account (disabled, role changed) ends it at
 * once. Expiry ends it at the moment the session would refuse its next request: the absolute expiry, or the idle
 * deadline. An open stream is not activity — only the user's own requests move the idle clock — so an abandoned tab
 * is signed out after the idle period like any other. Between deadlines the session is re-read every 15 s, for ends
 * no event announced (the operator's CLI ends sessions from another process; a publish on Workers can be lost).
 */
import type { Clock } from '../clock';
import type { HubEvent } from './deliveryHub';

/** The longest a stream goes without re-reading its session. */
export const SESSION_RECHECK_MS = 15_000;

export interface StreamSession {
  /** SHA-256 of the session token: sign-out events name sessions by it. */
  tokenHash: string;
  /** When the session ends unless its user makes another request (ms since epoch), or undefined once it has ended. */
  endsAt(): Promise<number | undefined>;
}

/** True when `event` ends the session whose token hash is `tokenHash`. */
export function signsOut(event: HubEvent, tokenHash: string): boolean {
  return event.type === 'signed_out' && (event.sessions === 'all' || event.sessions.includes(tokenHash));
}

/** When to read a session again that ends at `endsAt`: then, or at the next re-check if that comes first. */
export function nextSessionCheck(endsAt: number, now: number): number {
  return Math.min(endsAt, now + SESSION_RECHECK_MS);
}

/**
 * Calls `onEnded` once when the session has ended, read at each {@link nextSessionCheck}; a read that fails ends it
 * too (fail closed: the client reconnects and is checked afresh). Returns the function that stops watching. It runs
 * on timers, so it suits a stream that keeps its process awake; hibernating sockets are re-checked from an alarm.
 */
export function watchSessionExpiry(clock: Pick<Clock, 'now'>, session: StreamSession, onEnded: (cause: 'ended' | 'unchecked') => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    session.endsAt().then(
      (endsAt) => {
        if (stopped) return;
        if (endsAt === undefined) return end('ended');
        timer = setTimeout(check, Math.max(0, nextSessionCheck(endsAt, clock.now()) - clock.now()));
      },
      () => stopped || end('unchecked'),
    );
  };
  const end = (cause: 'ended' | 'unchecked') => {
    stopped = true;
    onEnded(cause);
  };
  check();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
