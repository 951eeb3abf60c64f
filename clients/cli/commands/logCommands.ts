/** @module CLI commands for the tamper-evident log: offline verification, the database self-check, and running a witness. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { selfCheckLog } from '../../../src/audit-log/selfCheck';
import { witnessVerifierKey } from '../../../src/audit-log/tlog';
import { loadOrCreateSigningKey } from '../../../src/runtime/node/logKeyFile';
import { verifyExport } from '../log/verifyExport';
import { witnessOnce, type WitnessState } from '../log/witnessOnce';
import { requireString, withServices, type Command } from './command';

export const logCommands: Record<string, Command> = {
  'verify-log': {
    summary: 'Verify a log export offline, or (--db) recompute the whole tree from the database',
    usage: 'verify-log <export.jsonl> --key <log vkey> [--previous <checkpoint note file>] [--witness <vkey>]... [--witnesses-required <k>]  |  verify-log --db',
    options: {
      key: { type: 'string' },
      previous: { type: 'string' },
      witness: { type: 'string', multiple: true },
      'witnesses-required': { type: 'string' },
      db: { type: 'boolean' },
    },
    async run({ env, values, positionals, print }) {
      if (values.db) {
        const report = await withServices(env, (s) => selfCheckLog(s, s.logSigner));
        for (const problem of report.problems) print(`FAIL ${problem}`);
        print(report.ok ? `OK: ${report.size} entries and ${report.checkpointsChecked} checkpoints match the signed roots` : `TAMPERED: ${report.problems.length} problem(s) found`);
        return report.ok ? 0 : 1;
      }
      const [file] = positionals;
      if (!file) throw new Error('usage: verify-log <export.jsonl> --key <log vkey>');
      const verdict = await verifyExport(readFileSync(file, 'utf8'), {
        logKey: requireString(values, 'key'),
        previousNote: typeof values.previous === 'string' ? readFileSync(values.previous, 'utf8') : undefined,
        witnessKeys: Array.isArray(values.witness) ? values.witness : [],
        witnessesRequired: Number(values['witnesses-required'] ?? 0),
      });
      for (const failure of verdict.failures) print(`FAIL ${failure}`);
      print(
        verdict.ok
          ? `OK: ${verdict.entriesVerified} entries proven in tree of size ${verdict.treeSize}; witnesses: ${verdict.witnessesVerified.join(', ') || 'none required'}`
          : `INVALID: ${verdict.failures.length} failure(s)`,
      );
      return verdict.ok ? 0 : 1;
    },
  },
  'witness-keygen': {
    summary: 'Create a witness signing key and print the verifier key to register with an admin',
    usage: 'witness-keygen --name <witness name, e.g. ncb.ua/witness> --key <file>',
    options: { name: { type: 'string' }, key: { type: 'string' } },
    async run({ values, print }) {
      const path = requireString(values, 'key');
      if (existsSync(path)) throw new Error(`${path} already exists; refusing to overwrite a witness key`);
      const signer = await loadOrCreateSigningKey(path, requireString(values, 'name'));
      print(witnessVerifierKey(signer.name, signer.publicKey));
      return 0;
    },
  },
  witness: {
    summary: 'Witness the log: verify the latest checkpoint is consistent with the last one cosigned, then cosign it',
    usage: 'witness --key <file> --name <witness name> --url <server URL> --log-key <log vkey> [--state <file>] [--origin <origin>] [--watch]',
    options: {
      key: { type: 'string' },
      name: { type: 'string' },
      url: { type: 'string' },
      'log-key': { type: 'string' },
      state: { type: 'string' },
      origin: { type: 'string' },
      watch: { type: 'boolean' },
    },
    async run({ values, print }) {
      const keyPath = requireString(values, 'key');
      const statePath = typeof values.state === 'string' ? values.state : `${keyPath}.state.json`;
      const witness = await loadOrCreateSigningKey(keyPath, requireString(values, 'name'));
      const url = requireString(values, 'url');
      for (;;) {
        const state = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as WitnessState) : undefined;
        const round = await witnessOnce({
          url,
          origin: typeof values.origin === 'string' ? values.origin : new URL(url).origin,
          logKey: requireString(values, 'log-key'),
          witness,
          state,
        });
        print(`${round.outcome.toUpperCase()}: ${round.detail}`);
        if (round.outcome === 'refused') return 2;
        writeFileSync(statePath, JSON.stringify(round.state));
        if (!values.watch) return 0;
        await new Promise((r) => setTimeout(r, 10_000));
      }
    },
  },
};
