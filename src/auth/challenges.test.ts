// Challenges are rows: expired ones must not pile up, whoever keeps asking for new ones (a login challenge needs no
// account; an urgent contact's carries its whole draft).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock';
import { openSqliteDatabase } from '../storage/sqliteDatabase';
import { CHALLENGE_TTL_MS, consumeChallenge, issueChallenge } from './challenges';
import { challenges } from './tables';

describe('issueChallenge', () => {
  it('clears expired challenges as it issues new ones, so the table holds only live ones', async () => {
    const database = openSqliteDatabase({ path: join(mkdtempSync(join(tmpdir(), 'exigent-challenges-')), 'db.sqlite') });
    const clock = manualClock();
    const count = async () => (await database.db.select({ n: sql<number>`count(*)` }).from(challenges))[0]!.n;
    for (let i = 0; i < 250; i++) await issueChallenge({ database, clock }, { purpose: 'login', challenge: `c${i}` });
    expect(await count()).toBe(250);
    clock.advance(CHALLENGE_TTL_MS + 1);
    const live = await issueChallenge({ database, clock }, { purpose: 'login', challenge: 'live' });
    for (let i = 0; i < 3; i++) await issueChallenge({ database, clock }, { purpose: 'login', challenge: `more${i}` });
    expect(await count()).toBe(4);
    await expect(consumeChallenge({ database, clock }, { id: live, purpose: 'login' })).resolves.toMatchObject({ challenge: 'live' });
  });
});
