/**
 * @module Request bodies on Node, read straight from the IncomingMessage with the size limit enforced as bytes
 * arrive. hono/body-limit (what Workers use) inspects `c.req.raw.body`, and on node-server touching that builds a
 * full WHATWG Request with an AbortSignal and a web stream over the socket for every API call: a sixth of the
 * relay's send cost. Here the bytes land in Hono's body cache, so `c.req.json()` / `arrayBuffer()` never build it.
 */
import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { bodyCutOff, type BodyReader } from '../../http/requestBodies';

const WITHOUT_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);
const TEXTUAL = /^(application\/([\w.-]+\+)?json|text\/)/i;

class TooLarge extends Error {}

function readAll(incoming: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanUp();
        // Stop buffering; the error response closes the connection, so the rest is never read.
        incoming.pause();
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanUp();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    // Closed before its end without an error: settle anyway, or this request would hold its share of the
    // bodies-in-flight budget for ever.
    const onClose = () => onError(new Error('closed before the end of the body'));
    const cleanUp = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    // Already gone (the client hung up while the session was being resolved): its events will not come again.
    if (incoming.destroyed) return onClose();
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/** The bytes as an ArrayBuffer of their own; a large body already has one (Buffer.concat), and copying it would double it. */
function ownArrayBuffer(body: Buffer): ArrayBuffer {
  const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
  return whole ? (body.buffer as ArrayBuffer) : (body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
}

/** The Node runtime's {@link BodyReader}. */
export const readNodeRequestBody: BodyReader = (maxBytes, onTooLarge): MiddlewareHandler =>
  async function readRequestBody(c, next) {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming || WITHOUT_BODY.has(c.req.method)) return next();
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (declared > maxBytes) return onTooLarge();
    let body: Buffer;
    try {
      body = await readAll(incoming, maxBytes);
    } catch (error) {
      if (error instanceof TooLarge) return onTooLarge();
      // The client closed the connection halfway ('aborted'): nobody reads the answer, but it is no server fault.
      throw bodyCutOff();
    }
    // Textual bodies are cached as text (what c.req.json() reads), binary ones as bytes: Hono converts between
    // the two on demand, and decoding binary data as UTF-8 would corrupt it.
    // Hono keeps promises in that cache (its type says otherwise).
    const cache = c.req.bodyCache as unknown as Record<'text' | 'arrayBuffer', Promise<unknown>>;
    if (TEXTUAL.test(c.req.header('content-type') ?? '')) cache.text = Promise.resolve(body.toString('utf8'));
    else cache.arrayBuffer = Promise.resolve(ownArrayBuffer(body));
    return next();
  };
