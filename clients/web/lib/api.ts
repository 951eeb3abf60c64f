/** @module The web app's connection to the server: same-origin fetch for the API, the browser's own WebSocket. */
import { Api } from '../../sdk/api';

/**
 * A session that ended (idle, disabled, role changed) sends the user to sign in again instead of failing quietly.
 * Every answer is revalidated: the log's checkpoint may be cached for a few seconds by mirrors, but the page that
 * verifies it (and every screen showing live state) must see the server's answer of now.
 */
const fetchSignedIn: typeof fetch = async (input, init) => {
  const res = await fetch(input, { credentials: 'same-origin', cache: 'no-cache', ...init });
  const path = new URL(String(input), location.origin).pathname;
  if (res.status === 401 && path !== '/api/v1/me' && !path.startsWith('/api/v1/auth/') && location.pathname !== '/login') location.assign('/login');
  return res;
};

export const api = new Api({ baseUrl: location.origin, fetch: fetchSignedIn });

export const openSocket = (url: string) => new WebSocket(url) as never;

export interface Me {
  id: string;
  displayName: string;
  email: string;
  role: 'admin' | 'investigator' | 'ncb_officer' | 'compliance';
  agencyId: string | null;
  agencyName: string | null;
  countryCode: string | null;
}
