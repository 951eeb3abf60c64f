// Checkpoint verification in the browser's code, against notes signed by the server's own code: only a signature
// line with the pinned key's name and key id, over a checkpoint of the pinned log, counts.
import { describe, expect, it } from 'vitest';
import { keyId } from '../../../src/audit-log/tlog';
import { fromBase64, toBase64 } from '../../../src/crypto/base64url';
import { parseLogVerifierKey } from './logVerifierKey';
import { CHECKPOINT, LOG_NAME, logKey } from './testLogKeys';
import { verifyCheckpointNote } from './verifyCheckpoint';

const ROOT = 'q6ST0bXCV6uYQ+3cKb3S3QkNHTk1bOGNDPA6GqQZSz8=';

describe('checkpoint verification in the browser', () => {
  it('accepts a checkpoint signed by the pinned key, also among other signature lines', async () => {
    const log = await logKey();
    const pinned = await parseLogVerifierKey(log.verifierKey);
    const note = await log.sign(CHECKPOINT);
    expect(await verifyCheckpointNote(note, pinned)).toEqual({ valid: true, size: 5, rootHash: ROOT });
    const cosigned = `${note}— witness.example/w1 ${toBase64(new Uint8Array(76))}\n`;
    expect((await verifyCheckpointNote(cosigned, pinned)).valid).toBe(true);
  });

  it('refuses a tampered checkpoint', async () => {
    const log = await logKey();
    const note = await log.sign(CHECKPOINT);
    const verdict = await verifyCheckpointNote(note.replace('\n5\n', '\n6\n'), await parseLogVerifierKey(log.verifierKey));
    expect(verdict).toMatchObject({ valid: false, problem: `the signature by ${LOG_NAME} (key id ${log.verifierKey.split('+')[1]}) does not verify` });
  });

  it('refuses a note signed by another key under the same name', async () => {
    const pinned = await parseLogVerifierKey((await logKey()).verifierKey);
    const impostor = await logKey();
    const verdict = await verifyCheckpointNote(await impostor.sign(CHECKPOINT), pinned);
    expect(verdict).toMatchObject({ valid: false, problem: `no signature by ${LOG_NAME} with key id ${pinned.keyId}` });
  });

  it('refuses the pinned key’s signature relabelled with another key’s id', async () => {
    const log = await logKey();
    const other = await logKey();
    const note = await log.sign(CHECKPOINT);
    const line = note.trimEnd().split('\n').at(-1)!;
    const bytes = fromBase64(line.split(' ')[2]!);
    bytes.set(keyId(LOG_NAME, 0x01, other.publicKey));
    const relabelled = note.replace(line, `— ${LOG_NAME} ${toBase64(bytes)}`);
    expect((await verifyCheckpointNote(relabelled, await parseLogVerifierKey(log.verifierKey))).valid).toBe(false);
  });

  it('refuses a checkpoint of another log, even signed by the pinned key', async () => {
    const log = await logKey();
    const note = await log.sign(CHECKPOINT.replace(LOG_NAME, 'other.example/log'));
    const verdict = await verifyCheckpointNote(note, await parseLogVerifierKey(log.verifierKey));
    expect(verdict).toMatchObject({ valid: false, problem: `the checkpoint is for log "other.example/log", expected "${LOG_NAME}"` });
  });
});
