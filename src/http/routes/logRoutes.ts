/** @module HTTP routes of the tamper-evident log: key, checkpoints, proofs, entries, export, witnesses and C2SP tiles. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { stream } from 'hono/streaming';
import { issueCheckpoint, latestCheckpoint } from '../../audit-log/checkpoints';
import { exportLog } from '../../audit-log/exportLog';
import { proveConsistency, proveInclusion, readEntries } from '../../audit-log/readEntries';
import { parseTilePath, readEntryBundle, readHashTile, TILE_WIDTH } from '../../audit-log/tiles';
import { noteVerifierKey } from '../../audit-log/tlog';
import { acceptCosignature, listWitnesses, registerWitness } from '../../audit-log/witnesses';
import { toBase64 } from '../../crypto/base64url';
import { NotFound } from '../../errors';
import type { AppEnv } from '../appEnv';
import { authorize, guardedRoute } from '../guardedRoute';
import { jsonBody, jsonResponse, VerbatimLine } from '../schemas';
import { validationHook } from '../validationHook';

const Size = z.coerce.number({ error: 'must be a number' }).int().min(0).max(Number.MAX_SAFE_INTEGER);
const CheckpointSchema = z.object({ size: z.number(), rootHash: z.string(), note: z.string() }).openapi('Checkpoint');
const EntrySchema = z.object({ index: z.number(), type: z.string(), data: z.string(), createdAt: z.number() }).openapi('LogEntry');
const ProofSchema = z.object({ proof: z.array(z.string()) }).loose();
const WitnessSchema = z.object({ id: z.string(), name: z.string(), verifierKey: z.string(), createdAt: z.number() }).openapi('Witness');
const LOG_READERS = ['compliance', 'admin', 'ncb_officer'] as const;

/** tlog-tiles §Checkpoints: "its headers SHOULD prevent caching beyond a few seconds". */
const CHECKPOINT_CACHE = 'public, max-age=5';

/**
 * tlog-tiles §Merkle Tree, §Log entries: tiles are immutable, "so its caching headers SHOULD be long-lived". A full
 * tile is cached for a year; a partial one (".p/W") only briefly, since the log may drop it once the full tile exists.
 * Entry bundles are `private`: they are served to signed-in compliance officers and admins only, and a shared cache
 * must not hand one to anybody else.
 */
function tileCaching(width: number, audience: 'public' | 'private'): string {
  return width === TILE_WIDTH ? `${audience}, max-age=31536000, immutable` : `${audience}, max-age=60`;
}

/** A refused tile (beyond the tree today, within it tomorrow; or not signed in) must not be cached at all. */
const uncachedRefusals = createMiddleware<AppEnv>(async function uncachedRefusals(c, next) {
  await next();
  if (c.res.status !== 200) c.res.headers.set('cache-control', 'no-store');
});

/** True when the client asks for text/plain and not JSON (curl's default, any type, keeps JSON). */
function prefersText(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/plain') && !accept.includes('application/json');
}

function checkpointJson(c: { size: number; rootHash: Uint8Array; note: string }) {
  return { size: c.size, rootHash: toBase64(c.rootHash), note: c.note };
}

export function logRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    guardedRoute('anonymous', {
      method: 'get',
      path: '/log/key',
      summary: "The log's public key (C2SP signed-note verifier key); with Accept: text/plain just the verifier key line",
      responses: { 200: jsonResponse(z.object({ name: z.string(), verifierKey: z.string(), publicKey: z.string() }), 'Key') },
    }),
    async (c) => {
      const { name, publicKey } = c.get('services').logSigner;
      const verifierKey = noteVerifierKey(name, publicKey);
      c.header('Vary', 'Accept');
      // The bare key is what `verify-log --key` and witnesses take, so `curl -H 'Accept: text/plain'` can feed them.
      if (prefersText(c.req.header('accept'))) return c.text(`${verifierKey}\n`, 200) as never;
      return c.json({ name, verifierKey, publicKey: toBase64(publicKey) }, 200);
    },
  );

  app.openapi(
    guardedRoute('anonymous', {
      method: 'get',
      path: '/log/checkpoint',
      summary: 'The latest signed checkpoint with all witness cosignatures (text/plain signed note, or JSON with Accept: application/json)',
      responses: { 200: jsonResponse(CheckpointSchema, 'Checkpoint') },
    }),
    async (c) => {
      const checkpoint = await latestCheckpoint(c.get('services'));
      // tlog-tiles §Checkpoints: mutable, so cached a few seconds at most; one URL, two representations.
      c.header('cache-control', CHECKPOINT_CACHE);
      c.header('vary', 'Accept');
      if (c.req.header('accept')?.includes('application/json')) return c.json(checkpointJson(checkpoint), 200);
      return c.body(checkpoint.note, 200, { 'content-type': 'text/plain; charset=utf-8' }) as never;
    },
  );

  app.openapi(
    guardedRoute(['compliance', 'admin'], {
      method: 'post',
      path: '/log/checkpoint',
      summary: 'Issue a checkpoint for the current tree size now',
      responses: { 200: jsonResponse(CheckpointSchema, 'Checkpoint') },
    }),
    async (c) => c.json(checkpointJson(await issueCheckpoint(c.get('services'))), 200),
  );

  app.openapi(
    guardedRoute('anonymous', {
      method: 'get',
      path: '/log/consistency',
      summary: 'Consistency proof between two tree sizes (RFC 9162 §2.1.4)',
      request: { query: z.strictObject({ from: Size, to: Size }) },
      responses: { 200: jsonResponse(ProofSchema, 'Proof (base64 hashes)') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await proveConsistency(c.get('services'), { fromSize: q.from, toSize: q.to }), 200);
    },
  );

  app.openapi(
    guardedRoute(LOG_READERS, {
      method: 'get',
      path: '/log/entries',
      summary: "Entries in [from, to) (at most 1000); NCB officers see only their own country's entries",
      request: { query: z.strictObject({ from: Size, to: Size }) },
      responses: { 200: jsonResponse(z.array(EntrySchema), 'Entries') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const actor = c.get('actor')!;
      const countryCode = actor.role === 'ncb_officer' ? (actor.countryCode ?? '--') : undefined;
      return c.json(await readEntries(c.get('services'), { from: q.from, to: q.to, countryCode }), 200);
    },
  );

  app.openapi(
    guardedRoute(LOG_READERS, {
      method: 'get',
      path: '/log/entries/{index}',
      summary: 'One entry with its inclusion proof (RFC 9162 §2.1.3) against the latest checkpoint or a given tree size',
      request: {
        params: z.object({ index: Size.openapi({ param: { name: 'index', in: 'path' } }) }),
        query: z.strictObject({ treeSize: Size.optional() }),
      },
      responses: { 200: jsonResponse(z.object({ entry: EntrySchema, inclusion: ProofSchema, checkpoint: CheckpointSchema.optional() }), 'Entry and proof') },
    }),
    async (c) => {
      const services = c.get('services');
      const { index } = c.req.valid('param');
      const actor = c.get('actor')!;
      const [entry] = await readEntries(services, { from: index, to: index + 1, countryCode: actor.role === 'ncb_officer' ? (actor.countryCode ?? '--') : undefined });
      if (!entry) throw new NotFound(`No log entry ${index} that you may read`);
      const requested = c.req.valid('query').treeSize;
      const checkpoint = requested === undefined ? await latestCheckpoint(services) : undefined;
      const treeSize = requested ?? checkpoint!.size;
      const inclusion = await proveInclusion(services, { index, treeSize });
      return c.json({ entry, inclusion, ...(checkpoint ? { checkpoint: checkpointJson(checkpoint) } : {}) }, 200);
    },
  );

  app.openapi(
    guardedRoute(['compliance', 'admin'], {
      method: 'get',
      path: '/log/export',
      summary: 'JSON Lines export: checkpoint, optional consistency proof from `previous`, entries with inclusion proofs',
      request: { query: z.strictObject({ from: Size.default(0), to: Size.optional(), previous: Size.optional() }) },
      responses: { 200: { description: 'application/x-ndjson stream' } },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const lines = exportLog(c.get('services'), { from: q.from, to: q.to, previousSize: q.previous });
      // Pull the first line before committing to a 200, so a bad range still gets a problem response.
      const first = await lines.next();
      c.header('content-type', 'application/x-ndjson');
      return stream(c, async (out) => {
        if (!first.done) await out.write(`${JSON.stringify(first.value)}\n`);
        for await (const line of lines) await out.write(`${JSON.stringify(line)}\n`);
      }) as never;
    },
  );

  app.openapi(
    guardedRoute(['compliance', 'admin', 'ncb_officer'], {
      method: 'get',
      path: '/log/witnesses',
      summary: 'Registered witnesses',
      responses: { 200: jsonResponse(z.array(WitnessSchema), 'Witnesses') },
    }),
    async (c) => c.json(await listWitnesses(c.get('services')), 200),
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'post',
      path: '/log/witnesses',
      summary: "Register a witness by its Ed25519 verifier key ('<name>+<hex id>+<base64 key>')",
      request: jsonBody(z.strictObject({ verifierKey: VerbatimLine.min(10).max(400) })),
      responses: { 201: jsonResponse(WitnessSchema, 'Registered') },
    }),
    async (c) => c.json(await registerWitness(c.get('services'), { verifierKey: c.req.valid('json').verifierKey, actor: c.get('actor')! }), 201),
  );

  app.openapi(
    guardedRoute('anonymous', {
      method: 'post',
      path: '/log/cosignatures',
      summary: 'Submit a witness cosignature (C2SP tlog-cosignature) for a checkpoint; authenticated by the signature itself',
      request: jsonBody(z.strictObject({ checkpointSize: z.number().int().min(0), signatureLine: z.string().min(10).max(300) })),
      responses: { 201: jsonResponse(z.object({ witness: z.string(), timestamp: z.number() }), 'Accepted') },
    }),
    async (c) => c.json(await acceptCosignature(c.get('services'), c.req.valid('json')), 201),
  );

  // C2SP tlog-tiles. Hash tiles reveal only hashes and are public, like checkpoints; entry bundles hold
  // justifications and are for compliance and admins. Outside OpenAPI: the path grammar is the spec's.
  app.get('/log/tile/entries/*', uncachedRefusals, authorize(['compliance', 'admin']), async (c) => {
    const parsed = parseTilePath(c.req.path.slice(c.req.path.indexOf('/tile/') + '/tile/'.length));
    if (!parsed || parsed.kind !== 'entries') throw new NotFound('Not a valid entry bundle path (tile/entries/<N>[.p/<W>], https://c2sp.org/tlog-tiles)');
    const body = await readEntryBundle(c.get('services'), parsed);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/octet-stream', 'cache-control': tileCaching(parsed.width, 'private') });
  });
  app.get('/log/tile/*', uncachedRefusals, authorize('anonymous'), async (c) => {
    const parsed = parseTilePath(c.req.path.slice(c.req.path.indexOf('/tile/') + '/tile/'.length));
    if (!parsed || parsed.kind !== 'hash') throw new NotFound('Not a valid tile path (tile/<L>/<N>[.p/<W>], https://c2sp.org/tlog-tiles)');
    const body = await readHashTile(c.get('services'), parsed);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/octet-stream', 'cache-control': tileCaching(parsed.width, 'public') });
  });

  return app;
}
