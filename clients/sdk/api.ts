/**
 * @module The SDK's HTTP transport: JSON to and from `/api/v1`, problem+json errors as `ApiProblem`.
 * Browsers pass their own `fetch` (same-origin cookies); Node callers pass one that adds the cookie and Origin.
 */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  /** Field-level problems, to show next to the form field that caused them. */
  errors?: Array<{ field: string; message: string }>;
}

export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiProblem';
  }
  get status(): number {
    return this.problem.status;
  }
  /** True when the server named `field` as (one of) the cause(s). */
  concerns(field: string): boolean {
    return this.problem.errors?.some((e) => e.field === field) ?? false;
  }
}

export interface ApiOptions {
  baseUrl: string;
  fetch?: typeof fetch;
}

export class Api {
  private readonly fetcher: typeof fetch;

  constructor(readonly options: ApiOptions) {
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, { credentials: 'same-origin', ...init }));
  }

  url(path: string): string {
    return new URL(`/api/v1${path}`, this.options.baseUrl).toString();
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const init: RequestInit = { method, headers: {} };
    if (body instanceof Uint8Array) {
      init.body = body as Uint8Array<ArrayBuffer>;
      init.headers = { 'content-type': 'application/octet-stream' };
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const res = await this.fetcher(this.url(path), init);
    if (!res.ok) {
      const text = await res.text();
      let problem: Problem = { title: res.statusText || 'Request failed', status: res.status, detail: text.slice(0, 500) };
      try {
        problem = { ...problem, ...(JSON.parse(text) as Problem) };
      } catch {
        // Not problem+json (a proxy error page, say): keep the text as the detail.
      }
      throw new ApiProblem(problem);
    }
    if (res.status === 204) return { status: 204, body: undefined as T };
    const type = res.headers.get('content-type') ?? '';
    const parsed = type.includes('application/json') ? await res.json() : new Uint8Array(await res.arrayBuffer());
    return { status: res.status, body: parsed as T };
  }

  get<T>(path: string) {
    return this.request<T>('GET', path).then((r) => r.body);
  }
  post<T>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body).then((r) => r.body);
  }
  delete(path: string) {
    return this.request<void>('DELETE', path).then(() => undefined);
  }
}
