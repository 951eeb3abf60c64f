/** @module The web app's connection to the server: same-origin fetch for the API, the browser's own WebSocket. */
import { Api } from '../../sdk/api';

export const api = new Api({ baseUrl: location.origin });

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
