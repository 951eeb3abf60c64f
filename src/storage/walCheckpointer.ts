/**
 * @module WAL checkpoints, mostly on a worker thread with its own connection. Under sustained writes a one-second
 * checkpoint copies thousands of pages (the random-keyed indexes touch a new page per row) and took 25–60 ms;
 * on the event loop that stall was the p99 of every request in flight. A PASSIVE checkpoint from another
 * connection never blocks the writer, but it can never catch up with a busy writer either, and SQLite only
 * rewinds the WAL when a write begins with every frame checkpointed: alone, the worker let the WAL grow by
 * ~30 MB/s. So a worker pass that leaves the WAL longer than `rewindAfterFrames` is followed by a catch-up pass on
 * the writer's own thread (`catchUp`), which copies only the frames written during the worker's pass — a few
 * milliseconds — and lets the next write rewind the WAL.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

// Plain CommonJS evaluated in the worker: no TypeScript loader is needed there, under tsx or vitest alike.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 0');
const flag = new Int32Array(workerData.closed);
const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ passed: true, frames: result ? result.log : 0 });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  parentPort.close();
});
`;

export interface WalCheckpointer {
  /** Stops the timer and closes the worker's connection before returning (bounded wait). */
  stop(): void;
}

export function startWalCheckpointer(options: {
  path: string;
  intervalMs: number;
  /** Runs a PASSIVE checkpoint on the writer's connection, after a worker pass that left the WAL this long. */
  catchUp: () => void;
  /**
   * WAL length (in frames, i.e. pages) past which the writer catches up so that its next write rewinds the WAL. A
   * catch-up after every pass cost the delivery benchmark's writer thread a twelfth of its time; rewinding only past
   * a few megabytes bounds the file at that size plus one pass's frames.
   */
  rewindAfterFrames: number;
  onError: (message: string) => void;
}): WalCheckpointer {
  const closed = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: options.path, intervalMs: options.intervalMs, driver: require.resolve('better-sqlite3'), closed },
  });
  let stopped = false;
  let workerAlive = true;
  let fallback: ReturnType<typeof setInterval> | undefined;
  const catchUp = () => {
    try {
      options.catchUp();
    } catch (error) {
      options.onError(String(error));
    }
  };
  worker.on('message', (message: { passed?: true; frames?: number; error?: string }) => {
    if (message.error) options.onError(message.error);
    else if (!stopped && (message.frames ?? Infinity) > options.rewindAfterFrames) catchUp();
  });
  worker.on('error', (error) => options.onError(String(error)));
  worker.once('exit', () => {
    workerAlive = false;
    if (stopped) return;
    // Never leave the WAL to grow: checkpoint on this thread, as before there was a worker.
    options.onError('the checkpoint worker stopped; checkpointing on the main thread from now on');
    fallback = setInterval(catchUp, options.intervalMs);
    fallback.unref();
  });
  // The worker never keeps the process alive by itself.
  worker.unref();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(fallback);
      if (!workerAlive) return;
      worker.postMessage('stop');
      // Synchronously, so that closing the database (and then restoring a backup over it) finds no other
      // connection open. A checkpoint in progress finishes first; two seconds is far more than one takes.
      Atomics.wait(new Int32Array(closed), 0, 0, 2000);
    },
  };
}
