/**
 * @module `npm run bench -- chaos [--kills N]`: the mixed load (E2E sends with fan-out to two devices, over HTTP and
 * over the sender's stream, urgent-contact openings, NCB acknowledgements) against a server on a file database that is `kill -9`ed at random moments and
 * restarted, N times (default 20). Afterwards it proves from the database and the clients' records that nothing
 * acknowledged was lost, nothing was delivered twice, no contact is half-written, the outbox drained and the log
 * stayed consistent across every crash.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { latestCheckpoint } from '../src/audit-log/checkpoints';
import { proveConsistency } from '../src/audit-log/readEntries';
import { selfCheckLog } from '../src/audit-log/selfCheck';
import { verifyConsistency } from '../src/audit-log/tlog';
import { loadConfig } from '../src/config/loadConfig';
import { fromBase64 } from '../src/crypto/base64url';
import { openNodeServices } from '../src/runtime/node/openServices';
import { startSmtpSink } from '../tests/support/sinks';
import { startChildServer, type ChildServer } from './support/childServer';
import { MixedLoad, prepareScenario } from './support/mixedLoad';

const PORT = 18790;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const INCOMPLETE_CONTACTS = `select count(*) as n from urgent_contacts c where
  (select count(*) from ncb_notifications n where n.contact_id = c.id) <> 2
  or not exists (select 1 from formal_requests f where f.contact_id = c.id)
  or not exists (select 1 from log_entries e where e.type = 'urgent_contact.opened' and json_extract(e.data, '$.subject.urgentContactId') = c.id)`;

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const kills = args.includes('--kills') ? Number(args[args.indexOf('--kills') + 1]) : 20;
  const smtp = await startSmtpSink();
  const env = { EXIGENT_SMTP_URL: smtp.url, EXIGENT_SCHEDULER_SECONDS: '1', EXIGENT_CHECKPOINT_SECONDS: '1', EXIGENT_SEND_RATE_PER_MINUTE: '1000000', EXIGENT_SESSION_IDLE_MINUTES: '600' };
  let server: ChildServer = await startChildServer({ port: PORT, env });
  const dir = server.dir;
  const dbPath = join(dir, 'exigent.db');
  const load = new MixedLoad(await prepareScenario(server));
  const checkpoints: Array<{ size: number; rootHash: string }> = [];
  load.start();

  for (let k = 1; k <= kills; k++) {
    await sleep(700 + Math.random() * 1300);
    const cp = await fetch(`${server.url}/api/v1/log/checkpoint`, { headers: { accept: 'application/json' } })
      .then((r) => r.json() as Promise<{ size: number; rootHash: string }>)
      .catch(() => undefined);
    if (cp?.size) checkpoints.push(cp);
    await sleep(Math.random() * 300);
    load.serverUp = false;
    await server.stop('SIGKILL');
    console.log(`kill ${k}/${kills}: ${load.ackedMessages.size} messages and ${load.ackedContacts.size} contacts acknowledged so far`);
    server = await startChildServer({ port: PORT, env, dir });
    load.serverUp = true;
  }
  await load.stop();

  // Drain: the devices fetch everything left and the scheduler empties the outbox.
  const pendingOutbox = () => {
    const db = new Database(dbPath, { readonly: true });
    const { n } = db.prepare("select count(*) as n from outbox where status = 'pending'").get() as { n: number };
    db.close();
    return n;
  };
  for (let round = 0; round < 60; round++) {
    const fetched = (await load.fetchFor(0)) + (await load.fetchFor(1));
    if (fetched === 0 && pendingOutbox() === 0) break;
    await sleep(500);
  }
  await server.stop();

  const db = new Database(dbPath, { readonly: true });
  const stored = new Set((db.prepare('select id from messages').all() as Array<{ id: string }>).map((r) => r.id));
  let lost = 0;
  let duplicates = 0;
  for (const id of load.ackedMessages) {
    if (!stored.has(id)) lost++;
    for (const device of load.received) {
      const seqs = device.get(id);
      if (!seqs) lost++;
      else if (seqs.size > 1) duplicates++;
    }
  }
  const incomplete = (db.prepare(INCOMPLETE_CONTACTS).get() as { n: number }).n;
  const contactIds = new Set((db.prepare('select id from urgent_contacts').all() as Array<{ id: string }>).map((r) => r.id));
  const missingContacts = [...load.ackedContacts].filter((id) => !contactIds.has(id)).length;
  const outbox = db.prepare('select id, status from outbox').all() as Array<{ id: string; status: string }>;
  db.close();
  const undelivered = outbox.filter((r) => r.status !== 'delivered').length;
  const mailed = new Set(smtp.mails.flatMap((m) => [...m.raw.matchAll(/Message-ID: <([^@>]+)@/gi)].map((x) => x[1])));
  const neverMailed = outbox.filter((r) => !mailed.has(r.id)).length;
  await smtp.close();

  const services = await openNodeServices(loadConfig({ EXIGENT_DB: dbPath, EXIGENT_LOG_KEY: join(dir, 'log-signing.key'), EXIGENT_ORIGIN: server.origin }), {
    logger: pino({ level: 'silent' }),
  });
  const selfCheck = await selfCheckLog(services, services.logSigner);
  const latest = await latestCheckpoint(services);
  let consistent = selfCheck.ok;
  for (const cp of checkpoints) {
    const { proof } = await proveConsistency(services, { fromSize: cp.size, toSize: latest.size });
    if (!verifyConsistency({ oldSize: cp.size, newSize: latest.size, oldRoot: fromBase64(cp.rootHash), newRoot: latest.rootHash, proof: proof.map(fromBase64) })) consistent = false;
  }
  services.database.close();

  console.log(`acknowledged messages ${load.ackedMessages.size} (${load.ackedOverStream} by a sent frame on the stream): lost ${lost}, delivered twice ${duplicates} (the same queue entry handed out again after a crash and deduplicated by the client: ${load.redeliveries})`);
  console.log(`acknowledged contacts ${load.ackedContacts.size}: missing ${missingContacts}; contacts in the database missing a notification, formal request or log entry: ${incomplete}`);
  console.log(`outbox: ${outbox.length} e-mails, ${undelivered} not delivered, ${neverMailed} never received by the SMTP sink (each carries its outbox id as Message-ID)`);
  console.log(`log: self-check ${selfCheck.ok ? 'OK' : selfCheck.problems.join('; ')}; ${checkpoints.length} checkpoints taken before kills are consistent with the final size ${latest.size}: ${consistent}`);
  if (undelivered > 0 || neverMailed > 0) {
    console.log('OUTBOX NOT DRAINED');
    process.exitCode = 1;
  }
  return {
    kills,
    acked_messages: load.ackedMessages.size,
    acked_over_stream: load.ackedOverStream,
    lost_messages: lost,
    duplicate_deliveries: duplicates,
    acked_contacts: load.ackedContacts.size,
    incomplete_contacts: incomplete + missingContacts,
    log_consistent: consistent,
  };
}
