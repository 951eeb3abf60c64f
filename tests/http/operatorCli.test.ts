// The operator CLI against a real database file: seed, invite, list, disable, recovery link.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let dir: string;
let env: NodeJS.ProcessEnv;

async function exigent(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'clients/cli/main.ts', ...args], { env, cwd: process.cwd() });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'exigent-cli-'));
  env = { ...process.env, EXIGENT_DB: join(dir, 'exigent.db'), EXIGENT_ORIGIN: 'https://exigent.example' };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('operator CLI', () => {
  it('seeds the directory, invites an investigator, lists and disables users', async () => {
    const seed = join(dir, 'seed.json');
    writeFileSync(
      seed,
      JSON.stringify({
        countries: [{ code: 'UA', name: 'Ukraine' }],
        agencies: [
          { name: 'National Police', countryCode: 'UA', kind: 'police' },
          { name: 'NCB Kyiv', countryCode: 'UA', kind: 'ncb', dutyEmail: 'duty@ncb.ua' },
        ],
      }),
    );
    const seeded = await exigent('seed', seed);
    expect(seeded.stdout).toContain('country UA Ukraine');
    // Idempotent: a second run adds nothing.
    expect((await exigent('seed', seed)).stdout).toBe('');

    const agencies = (await exigent('agencies')).stdout;
    const policeId = /^(\S+)\s+UA\s+police/m.exec(agencies)![1]!;
    const invited = await exigent('invite', '--email', 'o@police.ua', '--name', 'Olena', '--role', 'investigator', '--agency', policeId);
    expect(invited.stdout).toMatch(/^https:\/\/exigent\.example\/enrol#token=[A-Za-z0-9_-]{43}\n$/);

    const link = await exigent('first-admin-link');
    expect(link.stdout).toMatch(/enrol#token=/);
  });

  it('explains mistakes and exits non-zero', async () => {
    await expect(exigent('add-agency', '--name', 'Zed Police', '--country', 'ZZ', '--kind', 'police')).rejects.toMatchObject({
      code: 64,
      stderr: expect.stringMatching(/Country ZZ is not registered/),
    });
    await expect(exigent('no-such-command')).rejects.toMatchObject({ code: 64, stderr: expect.stringMatching(/Unknown command/) });
  });

  // The same rules as the API's (src/http/schemas.ts): names reach CSV, PDF and the UI from here too.
  it('refuses names with control or bidirectional characters, and stores them in NFC', async () => {
    await expect(exigent('add-agency', '--name', 'Police \u202Egpj.exe', '--country', 'UA', '--kind', 'police')).rejects.toMatchObject({
      code: 64,
      stderr: expect.stringMatching(/--name: contains U\+202E, a bidirectional formatting character/),
    });
    await expect(exigent('invite', '--email', 'x@police.ua', '--name', 'Olena\r\nK.', '--role', 'investigator')).rejects.toMatchObject({
      code: 64,
      stderr: expect.stringMatching(/--name: contains U\+000D, a control character/),
    });
    const seed = join(dir, 'bad-seed.json');
    writeFileSync(seed, JSON.stringify({ countries: [{ code: 'PL', name: 'Pol\u0000and' }] }));
    await expect(exigent('seed', seed)).rejects.toMatchObject({ code: 64, stderr: expect.stringMatching(/countries\.0\.name: contains U\+0000, a control character/) });
    expect((await exigent('add-country', 'FR', 'Re\u0301publique')).stdout).toBe('country FR R\u00e9publique\n');
  });
});

describe('log commands', () => {
  it('self-checks the database and verifies an export file offline', async () => {
    const check = await exigent('verify-log', '--db');
    expect(check.stdout).toMatch(/^OK: \d+ entries and \d+ checkpoints match/m);

    const keyFile = join(dir, 'witness.key');
    const keygen = await exigent('witness-keygen', '--name', 'ncb.ua/witness', '--key', keyFile);
    expect(keygen.stdout).toMatch(/^ncb\.ua\/witness\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*\n$/);
    await expect(exigent('witness-keygen', '--name', 'ncb.ua/witness', '--key', keyFile)).rejects.toMatchObject({ stderr: expect.stringMatching(/refusing to overwrite/) });

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"kind":"entry"}\n');
    await expect(exigent('verify-log', bad, '--key', keygen.stdout.trim())).rejects.toMatchObject({ code: 1, stdout: expect.stringMatching(/INVALID/) });
  });
});
