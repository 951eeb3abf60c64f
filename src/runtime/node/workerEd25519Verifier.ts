/**
 * @module Ed25519 verification for the relay's send path on a worker thread, in batches. Every send verifies its
 * envelope's signature (~100 µs of CPU here). On the event loop that is a tenth of the send; through WebCrypto it
 * runs on libuv's pool, but each call wakes a pool thread and then the loop again, and on a small virtual machine
 * those cross-thread wake-ups cost more CPU than the verification itself. Here the signatures requested during
 * one event-loop turn go to one worker in one message and come back in one message: 2 wake-ups per turn.
 * The worker starts on first use; if it ever dies, its unanswered jobs and all later ones fall back to WebCrypto.
 */
import { Worker } from 'node:worker_threads';
import { ed25519Verify, type Ed25519Verifier } from '../../crypto/ed25519';

// Plain CommonJS evaluated in the worker: no TypeScript loader is needed there, under tsx or vitest alike.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
function keyFor(publicKey) {
  const id = Buffer.from(publicKey).toString('base64');
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= 2000) keys.delete(keys.keys().next().value);
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki' });
    keys.set(id, key);
  }
  return key;
}
parentPort.on('message', (jobs) => {
  const results = new Uint8Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const [publicKey, signature, message] = jobs[i];
    try {
      results[i] = verify(null, message, keyFor(publicKey), signature) ? 1 : 0;
    } catch {
      results[i] = 0;
    }
  }
  parentPort.postMessage(results);
});
`;

type Job = [publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array];
interface Batch {
  jobs: Job[];
  resolvers: Array<(ok: boolean) => void>;
}

export interface WorkerEd25519Verifier extends Ed25519Verifier {
  stop(): Promise<void>;
}

export function workerEd25519Verifier(options: { onError?: (error: Error) => void } = {}): WorkerEd25519Verifier {
  let worker: Worker | undefined;
  let dead = false;
  let collecting: Batch | undefined;
  // Batches sent and not yet answered, oldest first: the worker answers in order.
  const inFlight: Batch[] = [];

  const verifyWithWebCrypto = (batch: Batch) => batch.jobs.forEach(([k, s, m], i) => void ed25519Verify(k, s, m).then(batch.resolvers[i]));

  function start(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on('message', (results: Uint8Array) => {
      const batch = inFlight.shift();
      batch?.resolvers.forEach((resolve, i) => resolve(results[i] === 1));
    });
    w.on('error', (error) => options.onError?.(error));
    w.once('exit', () => {
      dead = true;
      for (const batch of inFlight.splice(0)) verifyWithWebCrypto(batch);
    });
    return w;
  }

  function send(): void {
    const batch = collecting!;
    collecting = undefined;
    if (dead) return verifyWithWebCrypto(batch);
    inFlight.push(batch);
    (worker ??= start()).postMessage(batch.jobs);
  }

  return {
    verify(publicKey, signature, message) {
      if (dead) return ed25519Verify(publicKey, signature, message);
      return new Promise<boolean>((resolve) => {
        if (!collecting) {
          collecting = { jobs: [], resolvers: [] };
          setImmediate(send);
        }
        collecting.jobs.push([publicKey, signature, message]);
        collecting.resolvers.push(resolve);
      });
    },
    async stop() {
      dead = true;
      // Whatever was asked is still answered, by WebCrypto, once the worker is gone.
      await worker?.terminate();
    },
  };
}
