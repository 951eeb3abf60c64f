/**
 * @module The relay benchmark's ceiling: a bare Hono endpoint on node-server doing one prepared better-sqlite3
 * insert per request — no ORM, no auth, no validation. Run as its own process: `tsx bench/support/ceilingServer.ts <port> <db>`.
 */
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';

const [port, dbPath] = process.argv.slice(2);
const db = new Database(dbPath!);
// The same durability settings as Exigent's own database.
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('create table if not exists envelopes (id integer primary key, body text not null, created_at integer not null)');
const insert = db.prepare('insert into envelopes (body, created_at) values (?, ?)');

const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.post('/envelopes', async (c) => {
  const { lastInsertRowid } = insert.run(await c.req.text(), Date.now());
  return c.json({ id: Number(lastInsertRowid) }, 201);
});
serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' });
