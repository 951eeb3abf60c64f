/**
 * @module A tiny HTTP client for tests: JSON in and out, one cookie jar, the browser's Origin header. It runs in
 * Node and inside workerd alike: how requests and sockets travel is the runtime harness's {@link Transport}.
 */
import type { SocketLike } from '../../clients/sdk/messenger';

/** The origin browsers would use; tests send it as the Origin header and authenticators sign it. */
export const TEST_ORIGIN = 'http://localhost:8787';

/** Loopback HTTP and `ws` sockets on Node; the Worker's own fetch (SELF) and its WebSocket upgrade inside workerd. */
export interface Transport {
  fetch: typeof fetch;
  openSocket(url: string, headers: Record<string, string>): SocketLike;
}

const unset: Transport = {
  fetch: (input, init) => fetch(input, init),
  openSocket() {
    throw new Error('No socket transport: the runtime harness sets ApiClient.transport');
  },
};

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class ApiClient {
  /** Set once per test runtime (tests/support/testServer.ts on Node, tests/worker/workerHarness.ts in workerd). */
  static transport: Transport = unset;
  private cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    readonly origin = TEST_ORIGIN,
  ) {}

  get sessionCookie(): string | undefined {
    return this.cookies.get('exigent_session');
  }

  /** A second client sharing nothing with this one (another browser). */
  fresh(): ApiClient {
    return new ApiClient(this.baseUrl, this.origin);
  }

  async request<T = any>(method: string, path: string, body?: unknown, init: { headers?: Record<string, string>; rawBody?: string } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { origin: this.origin, ...init.headers };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    let payload: string | undefined = init.rawBody;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await ApiClient.transport.fetch(new URL(path, this.baseUrl), { method, headers, body: payload });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      const v = value.join('=');
      if (v === '' || /max-age=0/i.test(cookie)) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), v);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text.
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  /** A `fetch` carrying this client's cookie and Origin, for the SDK (which a browser would give its own fetch). */
  readonly fetch: typeof fetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('origin', this.origin);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
    return ApiClient.transport.fetch(input, { ...init, headers });
  };

  /** A WebSocket to `url` with this client's cookie and Origin, as a browser would open it. */
  readonly openSocket = (url: string): SocketLike => ApiClient.transport.openSocket(url, this.socketHeaders());

  /** Headers a browser would send on a WebSocket handshake from our origin. */
  socketHeaders(): Record<string, string> {
    return { origin: this.origin, cookie: this.cookieHeader() };
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }
}
