/** @module CLI commands for the tamper-evident log: offline verification, the database self-check, and running a witness. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { allCheckpoints } from '../../../src/audit-log/checkpoints';
import { witnessVerifierKey } from '../../../src/audit-log/tlog';
import { selfCheckDatabase } from '../../../src/compliance/selfCheckDatabase';
import { loadConfig } from '../../../src/config/loadConfig';
import { loadOrCreateSigningKey } from '../../../src/runtime/node/logKeyFile';
import { foreignLogOrigin } from '../log/foreignLogOrigin';
import { verifyExport } from '../log/verifyExport';
import { witnessOnce, type WitnessState } from '../log/witnessOnce';
import { contactStory, type ProvenEntry } from '../log/contactStory';
import { requireString, withServices, type Command, type CommandContext } from './command';

/** sysexits EX_CONFIG: the CLI's settings are wrong, nothing is known about the database yet. */
const CONFIGURATION_MISTAKE = 78;

/**
 * `verify-log --db`: refuses on a configuration mistake (exit 78, naming the setting) rather than calling an untampered
 * database TAMPERED, and creates nothing: a missing database or key file is refused, never made afresh.
 */
async function verifyDatabase(env: CommandContext['env'], print: CommandContext['print']): Promise<number> {
  const config = loadConfig(env);
  // Opening a missing file would create an empty database that then "verifies".
  if (config.dbPath !== ':memory:' && !existsSync(config.dbPath)) {
    print(`CONFIGURATION: no database at ${config.dbPath}: set EXIGENT_DB to the server's database file`);
    return CONFIGURATION_MISTAKE;
  }
  // A fresh key would make every checkpoint look forged.
  if (!existsSync(config.logKeyPath)) {
    print(`CONFIGURATION: no log signing key at ${config.logKeyPath}: set EXIGENT_LOG_KEY to the server's key file (verify-log --db never creates one)`);
    return CONFIGURATION_MISTAKE;
  }
  return withServices(env, async (services) => {
    const foreign = foreignLogOrigin((await allCheckpoints(services)).map((c) => c.note), config.logOrigin);
    if (foreign) {
      print(
        `CONFIGURATION: the checkpoints in this database are signed by log "${foreign.join('", "')}" but this CLI is configured as "${config.logOrigin}": set EXIGENT_ORIGIN (or EXIGENT_LOG_ORIGIN) to the server's value`,
      );
      return CONFIGURATION_MISTAKE;
    }
    const report = await selfCheckDatabase(services, services.logSigner);
    for (const problem of report.problems) print(`FAIL ${problem}`);
    print(
      report.ok
        ? `OK: ${report.size} entries and ${report.checkpointsChecked} checkpoints match the signed roots; ${report.contactsChecked} urgent contacts match their signed justifications`
        : `TAMPERED: ${report.problems.length} problem(s) found`,
    );
    return report.ok ? 0 : 1;
  });
}

/** A verifier key is given as itself or as the path of a file holding it (as `GET /api/v1/log/key` with Accept: text/plain serves it). */
function verifierKeyArgument(value: string): string {
  if (/^[^+\s]+\+[0-9a-f]{8}\+/.test(value)) return value;
  if (!existsSync(value)) throw new Error(`--key: "${value}" is neither a verifier key (name+hash+key) nor a file holding one`);
  return readFileSync(value, 'utf8').trim();
}

/** The entry lines of an export (and the passkey entries it carries for ranges that start after a registration). */
function exportedEntries(jsonl: string): ProvenEntry[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { kind: string; index: number; data: string })
    .filter((line) => line.kind === 'entry')
    .map(({ index, data }) => ({ index, data }));
}

export const logCommands: Record<string, Command> = {
  'verify-log': {
    summary: 'Verify a log export offline, or (--db) recompute the whole tree from the database',
    usage:
      'verify-log <export.jsonl> --key <log vkey | file holding it> [--previous <checkpoint note file>] [--witness <vkey>]... [--witnesses-required <k>] [--contact <urgent contact id>]  |  verify-log --db',
    options: {
      key: { type: 'string' },
      contact: { type: 'string' },
      previous: { type: 'string' },
      witness: { type: 'string', multiple: true },
      'witnesses-required': { type: 'string' },
      db: { type: 'boolean' },
    },
    async run({ env, values, positionals, print }) {
      if (values.db) return verifyDatabase(env, print);
      const [file] = positionals;
      if (!file) throw new Error('usage: verify-log <export.jsonl> --key <log vkey>');
      const jsonl = readFileSync(file, 'utf8');
      const verdict = await verifyExport(jsonl, {
        logKey: verifierKeyArgument(requireString(values, 'key')),
        previousNote: typeof values.previous === 'string' ? readFileSync(values.previous, 'utf8') : undefined,
        witnessKeys: Array.isArray(values.witness) ? values.witness.map(verifierKeyArgument) : [],
        witnessesRequired: Number(values['witnesses-required'] ?? 0),
      });
      for (const failure of verdict.failures) print(`FAIL ${failure}`);
      print(
        verdict.ok
          ? `OK: ${verdict.entriesVerified} entries proven in tree of size ${verdict.treeSize}; witnesses: ${verdict.witnessesVerified.join(', ') || 'none required'}; ${verdict.justificationsVerified} justifications re-verified against passkey keys in the log`
          : `INVALID: ${verdict.failures.length} failure(s)`,
      );
      if (typeof values.contact === 'string') {
        // A story read from an export that did not verify would lend it credibility it has not earned.
        if (!verdict.ok) {
          print(`urgent contact ${values.contact}: not shown, the export did not verify`);
          return 1;
        }
        const story = contactStory(exportedEntries(jsonl), values.contact, new Date());
        for (const line of story.lines) print(line);
        if (!story.found) return 1;
      }
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
