/**
 * @module The workerd harness: requests go to the Worker itself (SELF, the module of wrangler.toml's `main`), whose
 * D1, R2 and Durable Objects are local; WebSockets are real upgrades answered by the LiveHub object.
 */
import { createExecutionContext, env, SELF } from 'cloudflare:test';
import type { SocketLike } from '../../clients/sdk/messenger';
import { manualClock } from '../../src/clock';
import { createFirstAdminEnrolment } from '../../src/auth/enrolments';
import { createOutboxTransports } from '../../src/outbox/transports';
import type { Env } from '../../src/runtime/worker/env';
import worker from '../../src/runtime/worker/index';
import { openWorkerServices } from '../../src/runtime/worker/workerServices';
import { runDueWork } from '../../src/scheduler/runDueWork';
import { ApiClient, TEST_ORIGIN } from '../support/apiClient';
import type { Harness, HarnessOptions } from '../support/harness';

export const workerEnv = env as unknown as Env;

type WorkerFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const viaSelf: WorkerFetch = (input, init) => SELF.fetch(input as string, init as RequestInit);

/** What the HTTP hop in front of SELF adds, and a Request built here lacks: the Content-Length of a body of known size. */
function withBodyLength(init: RequestInit = {}): RequestInit {
  const { body } = init;
  const length = typeof body === 'string' ? new TextEncoder().encode(body).byteLength : body instanceof Uint8Array ? body.byteLength : undefined;
  if (length === undefined) return init;
  const headers = new Headers(init.headers);
  headers.set('content-length', String(length));
  return { ...init, headers };
}

ApiClient.transport = {
  fetch: viaSelf,
  openSocket: (url, headers) => upgradedSocket(url, headers, viaSelf),
};

/** A browser-like WebSocket over the Worker's upgrade response, opened asynchronously like the real one. */
function upgradedSocket(url: string, headers: Record<string, string>, fetchWorker: WorkerFetch): SocketLike {
  let socket: WebSocket | undefined;
  let closed = false;
  const like: SocketLike = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send: (data) => socket?.send(data),
    close: () => {
      closed = true;
      socket?.close(1000, 'bye');
    },
  };
  void fetchWorker(url.replace(/^ws/, 'http'), { headers: { ...headers, upgrade: 'websocket' } }).then(
    (response) => {
      if (!response.webSocket) {
        like.onerror?.({ status: response.status });
        like.onclose?.({ code: 1006 });
        return;
      }
      socket = response.webSocket;
      socket.accept();
      socket.addEventListener('message', (event) => like.onmessage?.({ data: event.data }));
      socket.addEventListener('close', (event) => like.onclose?.(event));
      socket.addEventListener('error', (event) => like.onerror?.(event));
      if (closed) socket.close(1000, 'bye');
      else like.onopen?.({});
    },
    (error) => {
      like.onerror?.(error);
      like.onclose?.({ code: 1006 });
    },
  );
  return like;
}

export async function startWorkerHarness(options: HarnessOptions = {}): Promise<Harness> {
  const vars: Env = { ...workerEnv, ...options.env };
  if (options.env) {
    // SELF serves the vars of vitest.workers.config.ts. Other vars mean calling the Worker's own fetch handler with the
    // same bindings and those vars, as a deploy with them would run. Each test file runs in its own isolate, so the
    // transport set here is that file's.
    const viaHandler: WorkerFetch = (input, init) => worker.fetch(new Request(input, withBodyLength(init)) as never, vars, createExecutionContext());
    ApiClient.transport = { fetch: viaHandler, openSocket: (url, headers) => upgradedSocket(url, headers, viaHandler) };
  }
  const services = await openWorkerServices(vars);
  // What `npm run worker:first-admin` does against a real D1 (README).
  const link = await createFirstAdminEnrolment(services);
  return {
    runtime: 'workerd',
    url: TEST_ORIGIN,
    firstAdminUrl: link.url,
    services,
    runDueWork: async (options = {}) => {
      const clock = options.at === undefined ? services.clock : manualClock(options.at);
      const report = await runDueWork({ ...services, clock }, createOutboxTransports(), { budget: options.budget });
      await services.hub.settled();
      return report;
    },
    execute: async (sql) => void (await workerEnv.DB.exec(sql.replace(/\s*\n\s*/g, ' '))),
    stop: async () => {},
  };
}
