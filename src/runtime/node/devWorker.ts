/**
 * @module `npm run dev:worker`: the whole product on Workers, locally, in one command — the local signing-key
 * secret (.dev.vars, made once), migrations on the local D1, the first-admin link on a fresh database, then
 * `wrangler dev --local` (which builds the web assets first, see wrangler.toml [build]), with the scheduler ticked
 * every minute as the Cron Trigger would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateLogSigningKeyPem } from '../../audit-log/logSignerKey';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8787' }, 'persist-to': { type: 'string' } } });
const persist = values['persist-to'] ? ['--persist-to', values['persist-to']] : [];
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

function step(what: string, command: string, args: string[], okCodes = [0]): number {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (!okCodes.includes(result.status ?? 1)) {
    console.error(`${what} failed (exit ${result.status}).`);
    process.exit(1);
  }
  return result.status ?? 0;
}

if (!existsSync('.dev.vars')) {
  // Local stand-in for `wrangler secret put EXIGENT_LOG_SIGNING_KEY`; git ignores the file.
  const base64 = (await generateLogSigningKeyPem()).replace(/-----[A-Z ]+-----|\s+/g, '');
  writeFileSync('.dev.vars', `EXIGENT_LOG_SIGNING_KEY=${base64}\n`, { mode: 0o600 });
  console.log('Created .dev.vars with a local log-signing key.');
}
step('Applying migrations to the local D1', 'npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', ...persist]);
// Exit 65: the database already has its administrator (a restart), which is fine.
step('Creating the first-admin link', 'npx', ['tsx', 'src/runtime/node/workerFirstAdmin.ts', '--local', ...persist, '--origin', `http://localhost:${values.port}`], [0, 65]);
const dev = spawn(
  'npx',
  ['wrangler', 'dev', '--local', '--test-scheduled', '--ip', '127.0.0.1', '--port', values.port!, '--show-interactive-dev-session=false', '--var', `EXIGENT_ORIGIN:http://localhost:${values.port}`, ...persist],
  { stdio: 'inherit', env },
);
// Cron Triggers do not fire under `wrangler dev`; tick the scheduled handler the way the platform would.
const tick = setInterval(() => {
  fetch(`http://127.0.0.1:${values.port}/__scheduled?cron=*+*+*+*+*`).catch(() => undefined);
}, 60_000);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    clearInterval(tick);
    dev.kill(signal);
  });
}
dev.on('exit', (code) => process.exit(code ?? 0));
