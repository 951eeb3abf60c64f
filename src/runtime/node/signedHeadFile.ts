/**
 * @module The signer's record on Node: a JSON file beside the signing key (`<key file>.head`, mode 0600), replaced
 * atomically (temporary file, fsync, rename, fsync of the folder). Every process that signs with the key (the server,
 * the operator CLI) shares it; an exclusive lock file (`<record>.lock`, holding the owner's pid) serialises them.
 */
import { constants } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SignedHead, SignedHeadStore } from '../../audit-log/signedHead';
import { fromBase64, toBase64 } from '../../crypto/base64url';

const FORMAT = 'exigent-signed-head/v1';
const LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MS = 20;

interface RecordFile {
  format: typeof FORMAT;
  size: number;
  rootHash: string;
  note: string;
  signedAt: number;
}

/**
 * @example
 * const heads = signedHeadFile(`${config.logKeyPath}.head`);
 * await heads.exclusive(async () => heads.write({ ...head }));
 */
export function signedHeadFile(path: string): SignedHeadStore {
  return {
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return parseRecord(text, path);
    },
    async write(head) {
      const record: RecordFile = { format: FORMAT, size: head.size, rootHash: toBase64(head.rootHash), note: head.note, signedAt: head.signedAt };
      await replaceAtomically(path, `${JSON.stringify(record, null, 2)}\n`);
    },
    exclusive: (work) => withLockFile(`${path}.lock`, work),
  };
}

function parseRecord(text: string, path: string): SignedHead {
  let record: Partial<RecordFile>;
  try {
    record = JSON.parse(text) as Partial<RecordFile>;
  } catch {
    throw new Error(`${path}: the signer's record is not JSON; restore it from a backup (it must never be edited)`);
  }
  if (record.format !== FORMAT || !Number.isSafeInteger(record.size) || typeof record.rootHash !== 'string' || typeof record.note !== 'string' || typeof record.signedAt !== 'number') {
    throw new Error(`${path}: the signer's record is not an ${FORMAT} record; restore it from a backup (it must never be edited)`);
  }
  return { size: record.size!, rootHash: fromBase64(record.rootHash), note: record.note, signedAt: record.signedAt };
}

async function replaceAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  // The rename itself must reach the disk before the checkpoint is served.
  const folder = await open(dirname(path), constants.O_RDONLY);
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/** Holds `<record>.lock` (created exclusively) while `work` runs; a lock left by a process that died is taken over. */
async function withLockFile<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const lock = await open(lockPath, 'wx', 0o600);
      await lock.writeFile(`${process.pid}\n`);
      await lock.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isAbandoned(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lockPath} has been held by another signer for over ${LOCK_WAIT_MS / 1000} s; if no Exigent process is running, remove it`);
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/** A lock whose owner is no longer running (a crash while signing); a lock being written has no pid yet and is kept. */
async function isAbandoned(lockPath: string): Promise<boolean> {
  const text = await readFile(lockPath, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  if (!text || !Number.isSafeInteger(pid) || pid <= 0) {
    // Empty or unreadable: abandoned only if it has stayed so for a while.
    const mtime = await stat(lockPath).then((s) => s.mtimeMs).catch(() => Date.now());
    return Date.now() - mtime > LOCK_WAIT_MS;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
