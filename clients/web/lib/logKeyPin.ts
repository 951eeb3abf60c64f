/**
 * @module Which log key the web app trusts, so that a compromised server cannot vouch for itself with a key of its
 * choosing: the key built into the bundle by the operator (EXIGENT_LOG_VERIFIER_KEY at build time) when there is
 * one, otherwise the key this browser saw first (trust on first use). A served key that differs is never used.
 */
import { parseLogVerifierKey, type LogVerifierKey } from './logVerifierKey';

/** Where the first-use pin lives in the browser's storage. */
export const PIN_STORAGE_KEY = 'exigent.logVerifierKey';

/** Replaced by esbuild when the bundle is built (src/runtime/node/buildWebApp.ts); empty when no key was configured. */
export const BUILT_IN_LOG_VERIFIER_KEY: string | undefined = process.env.EXIGENT_LOG_VERIFIER_KEY || undefined;

export interface PinStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export type LogKeyTrust =
  /** Verify with `key`; `source` says why it is trusted, for the person comparing fingerprints. */
  | { kind: 'trusted'; source: 'built-in' | 'pinned' | 'pinned-now'; key: LogVerifierKey }
  /**
   * The server serves another key than the trusted one: nothing may be shown as verified. Only a first-use pin
   * can be replaced (`canRepin`), and only by the person's explicit, confirmed choice.
   */
  | { kind: 'mismatch'; trusted: string; served: string; canRepin: boolean };

export interface ResolveLogKeyOptions {
  /** The verifier key text the server served at /api/v1/log/key. */
  served: string;
  builtIn: string | undefined;
  storage: PinStorage;
}

export async function resolveLogKey({ served, builtIn, storage }: ResolveLogKeyOptions): Promise<LogKeyTrust> {
  // Ensure the served key is well formed and its id belongs to its name and key before trusting or pinning it.
  const key = await parseLogVerifierKey(served);
  if (builtIn !== undefined) {
    return served === builtIn ? { kind: 'trusted', source: 'built-in', key } : { kind: 'mismatch', trusted: builtIn, served, canRepin: false };
  }
  const pinned = storage.getItem(PIN_STORAGE_KEY);
  if (pinned === null) {
    storage.setItem(PIN_STORAGE_KEY, served);
    return { kind: 'trusted', source: 'pinned-now', key };
  }
  return pinned === served ? { kind: 'trusted', source: 'pinned', key } : { kind: 'mismatch', trusted: pinned, served, canRepin: true };
}

/** Replaces the first-use pin: call only after the person confirmed they checked the new key out of band. */
export function repinLogKey(storage: PinStorage, served: string): void {
  storage.setItem(PIN_STORAGE_KEY, served);
}
