/**
 * @module The relay benchmark's ceiling on Workers: a bare Hono endpoint doing one prepared D1 insert per request —
 * no ORM, no auth, no validation, no Durable Object — the Workers twin of ceilingServer.ts. wrangler dev runs it
 * with a generated config holding one D1 binding (bench/support/relayTargets.ts).
 */
import { Hono } from 'hono';

/** The slice of D1's binding used here (bench/ compiles without the Workers types). */
interface D1Slice {
  prepare(sql: string): { bind(...values: unknown[]): { run(): Promise<{ meta: { last_row_id: number } }> } };
  exec(sql: string): Promise<unknown>;
}

const CREATE = 'create table if not exists envelopes (id integer primary key, body text not null, created_at integer not null)';
const INSERT = 'insert into envelopes (body, created_at) values (?, ?)';

let created: Promise<unknown> | undefined;
let insert: ReturnType<D1Slice['prepare']> | undefined;

const app = new Hono<{ Bindings: { DB: D1Slice } }>();
// The benchmark polls /healthz until it answers, so the table exists before the load starts.
app.get('/healthz', async (c) => {
  await (created ??= c.env.DB.exec(CREATE));
  return c.json({ status: 'ok' });
});
app.post('/envelopes', async (c) => {
  // Prepared once per isolate, bound per request: the counterpart of better-sqlite3's prepared statement.
  insert ??= c.env.DB.prepare(INSERT);
  const { meta } = await insert.bind(await c.req.text(), Date.now()).run();
  return c.json({ id: meta.last_row_id }, 201);
});

export default app;
