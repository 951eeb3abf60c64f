// Compliance reads grounds from what the investigator's passkey signed (the urgent_contact.opened leaf of the
// tamper-evident log), not from the editable urgent_contacts.grounds column: with that column edited, the queue's
// ground filter, the statistics, the exports and the signed report still follow the signed grounds, and every one of
// them flags the record that disagrees with the log; the database self-check names the contact and the log index.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedReport } from '../../src/compliance/report';
import { selfCheckDatabase } from '../../src/compliance/selfCheckDatabase';
import { enrolFirstAdmin, inviteCast, seedDirectory, type Person } from '../support/people';
import { startTestServer, type TestServer } from '../support/testServer';
import { draftFor, openContact } from '../support/urgent';

let server: TestServer;
let compliance: Person;
const ids: { edited: string; intact: string; editedLogIndex: number; intactLogIndex: number } = {} as never;

const sqlite = () => server.services.database.sqlite;

beforeAll(async () => {
  server = await startTestServer();
  const admin = await enrolFirstAdmin(server);
  const cast = await inviteCast(admin, await seedDirectory(admin), 'anna', 'piotr', 'compliance');
  const { anna, piotr } = cast;
  compliance = cast.compliance;
  const opened = async (grounds: string[], caseReference: string) => {
    const res = await openContact(anna, draftFor(piotr, { grounds, caseReference }));
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  ids.edited = await opened(['threat_to_life'], 'UA-EDITED');
  ids.intact = await opened(['flight_risk'], 'UA-INTACT');
  const openingIndex = (id: string) =>
    (sqlite().prepare(`select idx from log_entries where type = 'urgent_contact.opened' and json_extract(data, '$.subject.urgentContactId') = ?`).get(id) as { idx: number }).idx;
  ids.editedLogIndex = openingIndex(ids.edited);
  ids.intactLogIndex = openingIndex(ids.intact);
  // Someone with write access to the database rewrites the claimed ground after the fact.
  sqlite().prepare(`update urgent_contacts set grounds = '["flight_risk"]' where id = ?`).run(ids.edited);
});
afterAll(async () => server.stop());

const get = async (path: string) => {
  const res = await compliance.client.get(`/api/v1${path}`);
  expect(res.status, res.text).toBe(200);
  return res;
};
const queue = async (query: string) => ((await get(`/compliance/contacts${query}`)).body.contacts as Array<{ id: string }>).map((c) => c.id).sort();

describe('grounds come from the signed justification in the log', () => {
  it('the ground filter follows the signed grounds, and the edited record is flagged', async () => {
    expect(await queue('?ground=threat_to_life')).toEqual([ids.edited]);
    expect(await queue('?ground=flight_risk')).toEqual([ids.intact]);
    const records = (await get('/compliance/contacts')).body.contacts as Array<Record<string, any>>;
    const edited = records.find((r) => r.id === ids.edited)!;
    expect(edited.grounds).toEqual(['threat_to_life']);
    expect(edited.integrity).toEqual({
      matchesLog: false,
      openingLogIndex: ids.editedLogIndex,
      groundsMatchLog: false,
      mismatchedColumns: ['grounds'],
      databaseGrounds: ['flight_risk'],
    });
    expect(records.find((r) => r.id === ids.intact)!.integrity).toMatchObject({ matchesLog: true, groundsMatchLog: true, mismatchedColumns: [] });
    // The case view carries the same record, so the officer sees the warning there too.
    expect((await get(`/compliance/contacts/${ids.edited}`)).body.record.integrity).toMatchObject({ matchesLog: false, groundsMatchLog: false });
  });

  it('statistics count the signed grounds and the records that disagree with the log', async () => {
    const stats = (await get('/compliance/statistics')).body;
    expect(stats.byGround).toEqual({ threat_to_life: 1, flight_risk: 1 });
    expect(stats.recordsDisagreeingWithLog).toBe(1);
  });

  it('exports carry the signed grounds and the flag', async () => {
    const rows = parse((await get('/compliance/export?format=csv')).text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.find((r) => r.id === ids.edited)).toMatchObject({ grounds: 'threat_to_life', matches_log: 'no', log_mismatches: 'grounds', opening_log_index: String(ids.editedLogIndex) });
    expect(rows.find((r) => r.id === ids.intact)).toMatchObject({ grounds: 'flight_risk', matches_log: 'yes', log_mismatches: '' });
    const lines = (await get('/compliance/export?format=jsonl')).text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.find((r) => r.id === ids.edited)).toMatchObject({ grounds: ['threat_to_life'], integrity: { matchesLog: false, databaseGrounds: ['flight_risk'] } });
  });

  it('the signed report counts the signed grounds and lists the disagreeing record', async () => {
    const signed = (await get('/compliance/report?format=json')).body as SignedReport;
    expect(signed.report.statistics.byGround).toEqual({ threat_to_life: 1, flight_risk: 1 });
    expect(signed.report.recordsDisagreeingWithLog).toEqual([
      { urgentContactId: ids.edited, caseReference: 'UA-EDITED', openingLogIndex: ids.editedLogIndex, mismatchedColumns: ['grounds'], signedGrounds: ['threat_to_life'], databaseGrounds: ['flight_risk'] },
    ]);
  });

  it('the database self-check names the contact, both values and the log index', async () => {
    const report = await selfCheckDatabase(server.services, server.services.logSigner);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      `urgent contact ${ids.edited}: grounds in the database (flight_risk) differ from the signed justification at log index ${ids.editedLogIndex} (threat_to_life)`,
    ]);
  });

  it('the self-check also names other edited columns, rows without an opening entry and entries without a row', async () => {
    sqlite().prepare(`update urgent_contacts set justification_hash = ? where id = ?`).run('00'.repeat(32), ids.intact);
    // A row copied under a new id has no opening entry; a row deleted leaves its opening entry without a row.
    sqlite().pragma('foreign_keys = OFF');
    try {
      sqlite().prepare(`insert into urgent_contacts select 'forged-contact', requester_user_id, requester_agency_id, requesting_country, requested_country, grounds, narrative, case_reference, offence_category, sought_information, handling_code, handling_conditions, legal_instrument, status, conversation_id, justification, justification_hash, credential_id, authenticator_data, client_data_json, signature, credential_public_key, opened_at, closed_at, closed_by, close_reason from urgent_contacts where id = ?`).run(ids.edited);
      const problems = (await selfCheckDatabase(server.services, server.services.logSigner)).problems;
      expect(problems).toContain(`urgent contact ${ids.intact}: justification_hash in the database differs from the signed justification at log index ${ids.intactLogIndex}`);
      expect(problems).toContain('urgent contact forged-contact: the log holds no urgent_contact.opened entry for it');
      const forged = (await get('/compliance/contacts')).body.contacts.find((r: { id: string }) => r.id === 'forged-contact');
      expect(forged.integrity).toMatchObject({ matchesLog: false, openingLogIndex: null });

      sqlite().prepare(`delete from urgent_contacts where id = ?`).run('forged-contact');
      sqlite().prepare(`update urgent_contacts set id = 'renamed-contact' where id = ?`).run(ids.intact);
      const afterDelete = (await selfCheckDatabase(server.services, server.services.logSigner)).problems;
      expect(afterDelete).toContain(`log index ${ids.intactLogIndex}: urgent_contact.opened for ${ids.intact} has no urgent_contacts row`);
      expect(afterDelete).toContain('urgent contact renamed-contact: the log holds no urgent_contact.opened entry for it');
    } finally {
      sqlite().pragma('foreign_keys = ON');
    }
  });
});
