/** @module The session cookie: HttpOnly, SameSite=Strict, Secure except on http://localhost, host-only. */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config/loadConfig';

export function sessionCookieName(config: Config): string {
  // The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and path=/.
  return isInsecureLocalhost(config) ? 'exigent_session' : '__Host-exigent_session';
}

function isInsecureLocalhost(config: Config): boolean {
  const url = new URL(config.origin);
  return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
}

export function readSessionCookie(c: Context, config: Config): string | undefined {
  return getCookie(c, sessionCookieName(config));
}

export function writeSessionCookie(c: Context, config: Config, token: string, expiresAt: number): void {
  setCookie(c, sessionCookieName(config), token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: !isInsecureLocalhost(config),
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context, config: Config): void {
  deleteCookie(c, sessionCookieName(config), { path: '/', secure: !isInsecureLocalhost(config) });
}
