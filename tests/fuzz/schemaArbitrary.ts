/**
 * @module A small JSON Schema (OpenAPI 3.1 subset) → fast-check arbitrary converter, plus "mutations" that
 * turn a schema-conforming value into the kinds of input a hostile or buggy client sends: wrong types,
 * missing required fields, unknown fields, huge strings, unicode, bad numbers, deep nesting, malformed JSON.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  nullable?: boolean;
  $ref?: string;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface OpenApiOperation {
  'x-exigent-roles'?: string[];
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
}

/** Real values the generators mix in, so that some requests reach past validation to real records. */
export interface GenContext {
  doc: OpenApiDoc;
  ids: readonly string[];
  countries: readonly string[];
}

/** How long a generated "valid" string may get beyond its minimum (the mutations produce the huge ones). */
const SPARE_LENGTH = 40;

export function resolve(schema: JsonSchema, doc: OpenApiDoc): JsonSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 20; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = target;
  }
  if (s.allOf?.length) {
    return s.allOf.map((part) => resolve(part, doc)).reduce<JsonSchema>(
      (acc, part) => ({
        ...acc,
        ...part,
        properties: { ...acc.properties, ...part.properties },
        required: [...(acc.required ?? []), ...(part.required ?? [])],
      }),
      {},
    );
  }
  return s;
}

function expandClass(body: string): string[] {
  const chars: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const next = body[i + 1];
    const end = body[i + 2];
    if (next === '-' && end !== undefined) {
      for (let code = c.charCodeAt(0); code <= end.charCodeAt(0); code++) chars.push(String.fromCharCode(code));
      i += 2;
    } else chars.push(c);
  }
  return chars;
}

/** `^[class]quantifier$` patterns (all this API uses) exactly; anything else through fc.stringMatching. */
export function patternArb(pattern: string, minLength = 0, maxLength = Number.MAX_SAFE_INTEGER): fc.Arbitrary<string> {
  const m = /^\^\[([^\]]+)\](\+|\*|\{(\d+)(?:,(\d*))?\})\$$/.exec(pattern);
  if (m) {
    const chars = expandClass(m[1]!);
    let lo = minLength;
    let hi = maxLength;
    if (m[2] === '+') lo = Math.max(lo, 1);
    if (m[3] !== undefined) {
      lo = Math.max(lo, Number(m[3]));
      hi = m[4] === undefined ? Math.min(hi, Number(m[3])) : m[4] === '' ? hi : Math.min(hi, Number(m[4]));
    }
    return fc.string({ unit: fc.constantFrom(...chars), minLength: lo, maxLength: Math.min(hi, lo + SPARE_LENGTH) });
  }
  return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length >= minLength && s.length <= maxLength);
}

function types(schema: JsonSchema): string[] {
  const t = schema.type;
  const list = t === undefined ? [] : Array.isArray(t) ? [...t] : [t];
  if (schema.nullable && !list.includes('null')) list.push('null');
  return list;
}

const ID_NAME = /(^id$|Id$|Ids$|^index$)/;
const COUNTRY_NAME = /(country|^code$)/i;

/** Values that conform to the schema (with real ids and country codes mixed in by property name). */
export function validValue(schema: JsonSchema, ctx: GenContext, name = ''): fc.Arbitrary<unknown> {
  const s = resolve(schema, ctx.doc);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const anyOf = s.anyOf ?? s.oneOf;
  if (anyOf?.length) return fc.oneof(...anyOf.map((part) => validValue(part, ctx, name)));
  const ts = types(s);
  if (ts.length > 1) return fc.oneof(...ts.map((t) => validValue({ ...s, type: t, nullable: false }, ctx, name)));
  switch (ts[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const integer = ts[0] === 'integer';
      let min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : 1e-9) : -1_000_000_000);
      let max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : 1e-9) : 2_000_000_000_000);
      min = Math.max(min, Number.MIN_SAFE_INTEGER);
      max = Math.min(max, Number.MAX_SAFE_INTEGER);
      // Small values are far likelier to hit real records (seqs, tree sizes, indexes).
      const small = fc.integer({ min: Math.max(min, Math.ceil(min)), max: Math.min(max, Math.max(Math.ceil(min), 0) + 50) });
      const wide = integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
      return fc.oneof(small, wide);
    }
    case 'array': {
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? min + 4, min + 4);
      return fc.array(validValue(s.items ?? {}, ctx, name), { minLength: min, maxLength: max });
    }
    case 'object': {
      const props = s.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, prop] of Object.entries(props)) model[key] = validValue(prop, ctx, key);
      const required = (s.required ?? []).filter((k) => k in model);
      return fc.record(model, { requiredKeys: required });
    }
    case 'string': {
      const min = s.minLength ?? 0;
      const max = s.maxLength ?? 10_000;
      let base: fc.Arbitrary<string>;
      if (s.format === 'email') base = fc.emailAddress().filter((e) => e.length <= max);
      else if (s.format === 'uri') base = fc.oneof(fc.webUrl(), fc.constantFrom('http://127.0.0.1:9/hook', 'https://hooks.example/ncb'));
      else if (s.pattern) base = patternArb(s.pattern, min, max);
      else base = fc.oneof(fc.string({ minLength: min, maxLength: Math.min(max, min + SPARE_LENGTH) }), fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, min + SPARE_LENGTH) }));
      const fits = (v: string) => v.length >= min && v.length <= max && (!s.pattern || new RegExp(s.pattern).test(v));
      const extras: string[] = [];
      if (ID_NAME.test(name)) extras.push(...ctx.ids.filter(fits));
      if (COUNTRY_NAME.test(name)) extras.push(...ctx.countries.filter(fits));
      return extras.length ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...extras) }, { weight: 1, arbitrary: base }) : base;
    }
    default:
      // {} (anything): a little JSON.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Junk

export const nastyStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83d',
  'A\u0301\u0301\u0301',
  '\u202eevil',
  '\uFEFF',
  '\u200b\u200c\u200d',
  '𝕏'.repeat(50),
  '😀👩‍👩‍👧‍👦',
  'ﷺ',
  'İı',
  'ß'.repeat(100),
  '\r\n\t',
  '<script>alert(1)</script>',
  "'; drop table users; --",
  '" OR 1=1 --',
  '../../etc/passwd',
  '%00',
  '${7*7}{{7*7}}',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
];

export const unicodeString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...nastyStrings),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

export const badNumbers = [
  -1,
  -0,
  0,
  0.5,
  -0.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 63,
  5e-324,
];

export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, '', '0', 'true', [], {}, [null], { '': '' }, ...badNumbers),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  unicodeString,
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), fc.string({ maxLength: 6 })), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

type Path = Array<string | number>;

function allPaths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([...prefix, i]), allPaths(v, [...prefix, i], out)));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([...prefix, k]), allPaths(v, [...prefix, k], out);
  return out;
}

function leafPaths(value: unknown, predicate: (v: unknown) => boolean): Path[] {
  return allPaths(value).filter((p) => predicate(getAt(value, p)));
}

function getAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value);
}

function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: any = structuredClone(value);
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key];
  cursor[path[path.length - 1]!] = replacement;
  return copy;
}

function deleteAt(value: unknown, path: Path): unknown {
  const copy: any = structuredClone(value);
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key];
  const last = path[path.length - 1]!;
  if (Array.isArray(cursor)) cursor.splice(Number(last), 1);
  else delete cursor[last];
  return copy;
}

/** A body variant: parsed JSON (sent as application/json), raw text, or bytes; with an optional content-type. */
export interface BodyVariant {
  kind: string;
  json?: unknown;
  raw?: string;
  bytes?: Uint8Array;
  /** undefined: the natural one; null: none at all. */
  contentType?: string | null;
}

const PLACEHOLDER = '"\u0001DEEP\u0001"';

function deepText(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const malformedTexts = [
  '',
  ' ',
  '{',
  '}',
  '[1,2',
  '{"a":}',
  "{'a':1}",
  '{"a":1,}',
  '{a:1}',
  'NaN',
  'undefined',
  '{"a":NaN}',
  '{"a":Infinity}',
  '\uFEFF{}',
  '/*c*/{}',
  '{"a":1}{"b":2}',
  'nul',
  'tru',
  '"unterminated',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '\u0000\u0001\u0002',
  '{"a":1}\u0000',
  '0x10',
  '-',
  '1e99999',
];

const prototypeTexts = [
  '{"__proto__":{"admin":true,"role":"admin"}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"__proto__":null}',
  '{"toString":1,"valueOf":2,"hasOwnProperty":3}',
];

const wrongContentTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json-patch+json',
  'application/octet-stream',
  '*/*',
  ';;;',
];

const extraKeys = fc.oneof(fc.constantFrom('admin', 'role', 'isAdmin', 'userId', 'id', 'status', 'constructor', 'toString', ''), fc.string({ minLength: 1, maxLength: 12 }));

/** Mutations of a schema-conforming JSON body, each labelled with its kind for failure messages. */
export function jsonBodyVariants(schema: JsonSchema, ctx: GenContext): fc.Arbitrary<BodyVariant> {
  const valid = validValue(schema, ctx);
  const s = resolve(schema, ctx.doc);
  const required = s.required ?? [];
  const pick = <T>(list: T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);
  const withJson = (kind: string) => (json: unknown): BodyVariant => ({ kind, json });
  return fc.oneof(
    { weight: 6, arbitrary: valid.map(withJson('valid')) },
    {
      weight: 3,
      arbitrary: fc.tuple(valid, fc.nat(), junkValue).map(([v, i, junk]) => {
        const path = pick(allPaths(v), i) ?? [];
        return { kind: `wrong type at ${path.join('.') || '(root)'}`, json: setAt(v, path, junk) };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat()).map(([v, i]) => {
        const key = pick(required, i);
        return key === undefined ? { kind: 'valid', json: v } : { kind: `missing ${key}`, json: deleteAt(v, [key]) };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat(), extraKeys, junkValue).map(([v, i, key, junk]) => {
        const objects = [[], ...leafPaths(v, (x) => !!x && typeof x === 'object' && !Array.isArray(x))];
        const path = pick(objects, i) ?? [];
        const target = getAt(v, path);
        if (!target || typeof target !== 'object' || Array.isArray(target)) return { kind: 'unknown field on non-object', json: { body: v, [key]: junk } };
        return { kind: `unknown field ${[...path, key].join('.')}`, json: setAt(v, [...path, key], junk) };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat(), fc.constantFrom(300, 5_000, 20_001, 270_000), fc.constantFrom('A', 'é', '😀', '\u0000')).map(([v, i, n, ch]) => {
        const path = pick(leafPaths(v, (x) => typeof x === 'string'), i) ?? pick(allPaths(v), i) ?? [];
        return { kind: `huge string (${n}×${JSON.stringify(ch)}) at ${path.join('.') || '(root)'}`, json: setAt(v, path, ch.repeat(n)) };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat(), unicodeString).map(([v, i, text]) => {
        const path = pick(leafPaths(v, (x) => typeof x === 'string'), i) ?? pick(allPaths(v), i) ?? [];
        return { kind: `unicode at ${path.join('.') || '(root)'}`, json: setAt(v, path, text) };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat(), fc.constantFrom(...badNumbers)).map(([v, i, n]) => {
        const path = pick(leafPaths(v, (x) => typeof x === 'number'), i) ?? pick(allPaths(v), i) ?? [];
        return { kind: `number ${n} at ${path.join('.') || '(root)'}`, json: setAt(v, path, n) };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat(), fc.constantFrom(10, 100, 1_000, 10_000, 100_000), fc.constantFrom<'array' | 'object'>('array', 'object')).map(
        ([v, i, depth, shape]) => {
          const path = pick(allPaths(v), i) ?? [];
          const raw = JSON.stringify(setAt(v, path, '\u0001DEEP\u0001')).replace(PLACEHOLDER, deepText(depth, shape));
          return { kind: `nested ${shape} depth ${depth} at ${path.join('.') || '(root)'}`, raw, contentType: 'application/json' };
        },
      ),
    },
    { weight: 1, arbitrary: junkValue.map((json) => ({ kind: 'non-object body', json })) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom(...malformedTexts),
        fc.constantFrom(...prototypeTexts),
        fc.tuple(valid, fc.nat()).map(([v, cut]) => {
          const text = JSON.stringify(v);
          return text.slice(0, cut % Math.max(text.length, 1));
        }),
        fc.string({ unit: 'binary', maxLength: 60 }),
      ).map((raw) => ({ kind: 'malformed JSON', raw, contentType: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.constantFrom<string | null>(...wrongContentTypes, null)).map(([v, contentType]) => ({
        kind: `content-type ${contentType ?? '(none)'}`,
        raw: JSON.stringify(v),
        contentType,
      })),
    },
    { weight: 1, arbitrary: fc.constant<BodyVariant>({ kind: 'no body' }) },
  );
}

/** For operations without a documented body: mostly none, sometimes junk. */
export const noBodyVariants: fc.Arbitrary<BodyVariant> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<BodyVariant>({ kind: 'no body' }) },
  { weight: 1, arbitrary: junkValue.map((json) => ({ kind: 'unexpected JSON body', json })) },
  { weight: 1, arbitrary: fc.constantFrom(...malformedTexts, ...prototypeTexts).map((raw) => ({ kind: 'unexpected malformed body', raw, contentType: 'application/json' })) },
);

/** For application/octet-stream bodies. */
export const binaryBodyVariants: fc.Arbitrary<BodyVariant> = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 2048 }).map((bytes) => ({ kind: `bytes(${bytes.length})`, bytes, contentType: 'application/octet-stream' })) },
  { weight: 1, arbitrary: fc.constant<BodyVariant>({ kind: 'no body' }) },
  { weight: 1, arbitrary: junkValue.map((json) => ({ kind: 'JSON instead of bytes', json })) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'bytes without content-type', bytes, contentType: null })),
  },
);

// ---------------------------------------------------------------------------------------------------------
// Path and query parameters

const weirdSegments = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '%2F',
  '..%2F..%2Fetc%2Fpasswd',
  '%2E%2E',
  '-1',
  '0',
  '1e3',
  '1.5',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '%20',
  '+',
  '%FF%FE',
  '%EF%BF%BF',
  '%F0%9F%98%80',
  '%22%3E%3Cscript%3E',
  "'",
  'x'.repeat(201),
  'x'.repeat(2_000),
];

/** One path segment, already percent-encoded (or deliberately malformed). */
export function pathSegmentArb(schema: JsonSchema | undefined, ctx: GenContext, realIds: readonly string[]): fc.Arbitrary<string> {
  const s = schema ? resolve(schema, ctx.doc) : {};
  const numeric = types(s).includes('integer') || types(s).includes('number');
  return fc.oneof(
    { weight: numeric ? 1 : 5, arbitrary: realIds.length ? fc.constantFrom(...realIds).map(encodeURIComponent) : fc.uuid() },
    { weight: numeric ? 6 : 0, arbitrary: fc.oneof(fc.nat(60), fc.nat()).map(String) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: unicodeString.filter((x) => x.length > 0).map((x) => encodeURIComponent(x.replace(/[\ud800-\udfff]/g, '?'))) },
    { weight: 2, arbitrary: fc.constantFrom(...weirdSegments) },
    { weight: 1, arbitrary: fc.integer().map(String) },
  );
}

const junkQueryValues = ['', '-1', '1.5', '1e400', 'abc', 'NaN', 'Infinity', '0x10', '9'.repeat(400), 'true', '[]', '{}', ' 1', '1 ', '%', '%zz', '\u0000'];

/** A query string (with a leading "?" or empty) from the operation's query parameters, with mutations. */
export function queryArb(params: NonNullable<OpenApiOperation['parameters']>, ctx: GenContext): fc.Arbitrary<{ kind: string; query: string }> {
  const queryParams = params.filter((p) => p.in === 'query');
  const value = (schema: JsonSchema | undefined, name: string) =>
    validValue(schema ?? { type: 'string' }, ctx, name).map((v) => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)));
  const pairs = fc.tuple(
    ...queryParams.map((p) =>
      fc.option(
        fc.oneof(
          { weight: 5, arbitrary: value(p.schema, p.name) },
          { weight: 1, arbitrary: fc.constantFrom(...junkQueryValues) },
          { weight: 1, arbitrary: unicodeString },
        ),
        { nil: undefined, freq: 3 },
      ).map((v) => (v === undefined ? [] : [[p.name, v] as [string, string]])),
    ),
  ).map((lists) => lists.flat());
  const encode = (list: Array<[string, string]>) => {
    const sp = new URLSearchParams();
    for (const [k, v] of list) sp.append(k, v.replace(/[\ud800-\udfff]/g, '?'));
    const text = sp.toString();
    return text ? `?${text}` : '';
  };
  return fc.oneof(
    { weight: 6, arbitrary: pairs.map((list) => ({ kind: 'query from schema', query: encode(list) })) },
    {
      weight: 1,
      arbitrary: fc.tuple(pairs, fc.oneof(fc.constantFrom('foo', 'admin', 'role', '__proto__', 'from[]', ''), fc.string({ maxLength: 8 })), fc.string({ maxLength: 8 })).map(([list, k, v]) => ({
        kind: 'unknown query parameter',
        query: encode([...list, [k, v]]),
      })),
    },
    {
      weight: 1,
      arbitrary: pairs.map((list) => ({ kind: 'duplicated query parameters', query: encode([...list, ...list]) })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(pairs, fc.constantFrom('%', '%zz', '%E0%A4%A', '=%', '&&&', '=', 'a=%FF', '?x', '#frag', 'x'.repeat(5_000))).map(([list, raw]) => ({
        kind: 'malformed query string',
        query: (encode(list) || '?') + (encode(list) ? '&' : '') + raw,
      })),
    },
  );
}
