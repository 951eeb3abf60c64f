/** @module Loads the log's Ed25519 signing key from its file, creating it (mode 0600) on first start. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogSigner } from '../../audit-log/logSigner';
import { generateLogSigningKeyPem, logSignerFromPem } from '../../audit-log/logSignerKey';

/**
 * The key lives in its own file, not in the database: someone who can rewrite the log tables must not
 * also be able to re-sign forged checkpoints.
 */
export async function loadOrCreateSigningKey(path: string, name: string): Promise<LogSigner> {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await generateLogSigningKeyPem(), { mode: 0o600, flag: 'wx' });
  }
  return logSignerFromPem(readFileSync(path, 'utf8'), name, path);
}
