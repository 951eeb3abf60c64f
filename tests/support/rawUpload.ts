/**
 * @module A request with a large declared body over a raw loopback socket, sent the way a polite client sends it:
 * the first part of the body, a pause in which the server may already answer (HTTP/1.1 lets it, RFC 9112 §9.5),
 * then the rest as fast as the server takes it. A server that refuses the body unread answers in the pause; one
 * that reads it first answers only once all of it has arrived. The client stops writing once it has the answer
 * (writing on would only make the server's closed socket reset the connection).
 */
import { connect } from 'node:net';

export interface RawUploadResult {
  status: number;
  /** Body bytes handed to the socket when the status line arrived. */
  bytesSent: number;
  declaredBytes: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** `headers` are sent as given, plus Host, Content-Length and Connection: close. */
export function rawUpload(
  url: string,
  request: { method?: string; path: string; declaredBytes: number; headers?: Record<string, string>; firstBytes?: number; pauseMs?: number },
): Promise<RawUploadResult> {
  const { hostname, port } = new URL(url);
  const { declaredBytes, firstBytes = 256 * 1024, pauseMs = 1000 } = request;
  const head = [
    `${request.method ?? 'POST'} ${request.path} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    `content-length: ${declaredBytes}`,
    'connection: close',
    ...Object.entries(request.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let bytesSent = 0;
    let answer = '';
    let status: number | undefined;
    /** Writes body bytes up to `until`, waiting for the socket to drain, unless the answer came meanwhile. */
    const pump = (until: number, then: () => void) => {
      while (status === undefined && bytesSent < until) {
        const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, until - bytesSent));
        bytesSent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', () => pump(until, then));
      }
      if (status === undefined) then();
    };
    socket.on('connect', () => {
      socket.write(head);
      pump(Math.min(firstBytes, declaredBytes), () => setTimeout(() => pump(declaredBytes, () => undefined), pauseMs));
    });
    socket.on('data', (data: Buffer) => {
      answer += data.toString('latin1');
      const statusLine = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status === undefined && statusLine) {
        status = Number(statusLine[1]);
        resolve({ status, bytesSent, declaredBytes });
        socket.destroy();
      }
    });
    socket.on('error', (error) => {
      socket.destroy();
      if (status === undefined) reject(error);
    });
    socket.on('close', () => status === undefined && reject(new Error(`connection closed without an answer after ${bytesSent} body bytes`)));
  });
}
