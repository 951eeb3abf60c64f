// The writer bounds every leaf at append: a leaf a C2SP entry bundle cannot carry (over 65,535 bytes) is refused with
// the field that made it too big, and nothing of its batch is written.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock';
import { countries } from '../directory/tables';
import { Invalid } from '../errors';
import { openSqliteDatabase } from '../storage/sqliteDatabase';
import { encodeLeaf, MAX_LEAF_BYTES, type LogEvent } from './logEvent';
import { createLogWriter } from './logWriter';

const event = (details: Record<string, unknown>): LogEvent => ({ type: 'compliance.decision', actor: { system: 'test' }, subject: { urgentContactId: 'c1' }, countries: ['PL'], details });
const leafBytes = (e: LogEvent) => new TextEncoder().encode(encodeLeaf(e, 0).text).length;

describe('createLogWriter', () => {
  function open() {
    const database = openSqliteDatabase({ path: join(mkdtempSync(join(tmpdir(), 'exigent-logwriter-')), 'db.sqlite') });
    return { database, writer: createLogWriter({ database, clock: manualClock() }) };
  }

  it('refuses a leaf over 65,535 bytes, naming its largest field by path, and writes nothing of the batch', async () => {
    const { database, writer } = open();
    await writer.commit([event({ comment: 'fits' })]);
    const big = event({ justification: { narrative: 'n'.repeat(70_000), soughtInformation: 's'.repeat(500) }, comment: 'c' });
    const businessRow = database.db.insert(countries).values({ code: 'DE', name: 'Germany' });
    const refused = writer.commit([event({ comment: 'first of the batch' }), big], [businessRow]);
    await expect(refused).rejects.toBeInstanceOf(Invalid);
    await expect(refused).rejects.toMatchObject({
      field: 'details.justification.narrative',
      message: expect.stringMatching(/compliance\.decision log entry would be 7\d{4} bytes, more than the 65535 .*details\.justification\.narrative \(70000 bytes\)/),
    });
    expect(await writer.size()).toBe(1);
    expect(await database.db.select().from(countries)).toEqual([]);
    // The writer is not stuck: the next append goes through.
    await expect(writer.commit([event({ comment: 'after' })])).resolves.toMatchObject({ indices: [1] });
  });

  it('appends a leaf of exactly 65,535 bytes, multi-byte characters counted as UTF-8', async () => {
    const { writer } = open();
    const overhead = leafBytes(event({ text: '' }));
    const padding = MAX_LEAF_BYTES - overhead;
    const exact = event({ text: `${'€'.repeat(Math.floor(padding / 3))}${'x'.repeat(padding % 3)}` });
    expect(leafBytes(exact)).toBe(MAX_LEAF_BYTES);
    await expect(writer.commit([exact])).resolves.toMatchObject({ indices: [0] });
    const oneMore = event({ text: `${'€'.repeat(Math.floor(padding / 3))}${'x'.repeat((padding % 3) + 1)}` });
    await expect(writer.commit([oneMore])).rejects.toMatchObject({ field: 'details.text' });
  });
});
