/**
 * @module `npm run worker:first-admin -- --local|--remote [--persist-to DIR]`: prints the single-use link that makes
 * the first administrator of a fresh D1 database — what `npm start` prints on Node, where there is a console.
 * The same domain function writes the same row; only the way to the database differs.
 */
import { parseArgs } from 'node:util';
import { createFirstAdminEnrolment, isFreshInstallation } from '../../auth/enrolments';
import { systemClock } from '../../clock';
import { ConfigError, loadConfig } from '../../config/loadConfig';
import { wranglerD1Database } from './wranglerD1Database';

const USAGE = 'usage: npm run worker:first-admin -- --local|--remote [--persist-to DIR] [--origin https://exigent.example.org]';

const { values } = parseArgs({
  options: { local: { type: 'boolean' }, remote: { type: 'boolean' }, 'persist-to': { type: 'string' }, origin: { type: 'string' }, force: { type: 'boolean' } },
});
if (values.local === values.remote) {
  console.error(`Say which database: --local (wrangler dev's) or --remote (the deployed one).\n${USAGE}`);
  process.exit(64);
}
try {
  // The link's origin must be the Worker's EXIGENT_ORIGIN (wrangler.toml [vars]); the rest of the settings do not matter here.
  const config = loadConfig({ EXIGENT_ORIGIN: values.origin ?? process.env.EXIGENT_ORIGIN ?? 'http://localhost:8787' });
  const database = wranglerD1Database({ target: values.local ? 'local' : 'remote', ...(values['persist-to'] && { persistTo: values['persist-to'] }) });
  if (!values.force && !(await isFreshInstallation({ database }))) {
    console.error('This database already has users or enrolments; invite administrators from the web app (or pass --force to issue another first-admin link when no active administrator exists).');
    process.exit(65);
  }
  const link = await createFirstAdminEnrolment({ database, clock: systemClock, config }, { force: false });
  console.log(`First-admin enrolment link (single use, expires ${new Date(link.expiresAt).toISOString()}):\n  ${link.url}`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Could not create the link: ${(error as Error).message}`);
  process.exit(1);
}
