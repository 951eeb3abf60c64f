// Folders import one way (docs/architecture.md, "Which folder may import which"): a domain that drives another
// imports it and the driven one never imports back, the ground floor names no domain, and the composition (the
// schema, the Services bundle) sits on top. No file may reach itself again through the imports that run at load time.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../', import.meta.url));

/** Plumbing every folder may use. It imports only itself: no domain, no composition. */
const GROUND = ['errors.ts', 'clock.ts', 'logger.ts', 'platform.ts', 'crypto', 'config', 'storage'];
const DOMAINS = ['directory', 'audit-log', 'relay', 'outbox', 'auth', 'contact-record', 'ncb', 'formal-requests', 'urgent', 'compliance'];

/** Besides the ground floor, the folders each folder may import. Keep in step with docs/architecture.md. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(GROUND.map((unit) => [unit, []])),
  directory: [],
  'audit-log': ['directory'],
  relay: ['directory', 'audit-log'],
  outbox: ['directory'],
  auth: ['directory', 'audit-log', 'relay'],
  'contact-record': ['directory', 'relay'],
  ncb: ['directory', 'audit-log', 'relay', 'outbox', 'contact-record'],
  'formal-requests': ['directory', 'audit-log', 'outbox', 'contact-record'],
  urgent: ['directory', 'audit-log', 'relay', 'auth', 'contact-record', 'ncb', 'formal-requests'],
  compliance: DOMAINS.filter((domain) => domain !== 'compliance'),
  // src/runtime/*.ts: the composition both entry points share (the schema, the Services bundle).
  runtime: DOMAINS,
  scheduler: [...DOMAINS, 'runtime'],
  http: [...DOMAINS, 'runtime'],
  'runtime/node': [...DOMAINS, 'runtime', 'scheduler', 'http'],
  'runtime/worker': [...DOMAINS, 'runtime', 'scheduler', 'http'],
};

interface Import {
  file: string;
  line: number;
  specifier: string;
  /** Resolved file under src, or undefined for a package or a file outside src. */
  target: string | undefined;
  /** Erased by the compiler (`import type`, `export type`, `import('…')` in a type), so it cannot take part in loading. */
  typeOnly: boolean;
}

// Statements start a line in this code base; a doc comment's example starts with ` * ` and is not matched.
const STATIC_IMPORT = /^(?:import|export)(\s+type)?\s[\w\s{},*$]*?\bfrom\s*(['"])([^'"\n]+)\2/gm;
const SIDE_EFFECT_IMPORT = /^import\s*(['"])([^'"\n]+)\1/gm;
const IMPORT_CALL = /\bimport\(\s*(['"])([^'"\n]+)\1\s*\)/g;
const IN_COMMENT = /^\s*(?:\*|\/\/)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const FILES = sourceFiles(SRC).map((path) => relative(SRC, path).split(sep).join('/'));
const KNOWN = new Set(FILES);

/** The layer a file belongs to: its top-level folder (or file), and in src/runtime the entry point's folder. */
function unitOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'runtime') return parts.length === 2 ? 'runtime' : `runtime/${parts[1]}`;
  return parts[0]!;
}

function resolveImport(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = relative(SRC, resolve(SRC, dirname(file), specifier.replace(/\.js$/, ''))).split(sep).join('/');
  return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((candidate) => KNOWN.has(candidate));
}

function importsOf(file: string): Import[] {
  const source = readFileSync(join(SRC, file), 'utf8');
  const lineAt = (index: number) => source.slice(0, index).split('\n').length;
  const found: Import[] = [];
  const add = (index: number, specifier: string, typeOnly: boolean) =>
    found.push({ file, line: lineAt(index), specifier, target: resolveImport(file, specifier), typeOnly });
  for (const m of source.matchAll(STATIC_IMPORT)) add(m.index, m[3]!, m[1] !== undefined);
  for (const m of source.matchAll(SIDE_EFFECT_IMPORT)) add(m.index, m[2]!, false);
  for (const m of source.matchAll(IMPORT_CALL)) {
    const lineStart = source.lastIndexOf('\n', m.index) + 1;
    if (!IN_COMMENT.test(source.slice(lineStart, m.index))) add(m.index, m[2]!, true);
  }
  return found;
}

const IMPORTS = FILES.flatMap(importsOf);

describe('layering of src', () => {
  it('places every file in a layer', () => {
    const unplaced = FILES.filter((file) => !(unitOf(file) in MAY_IMPORT)).map((file) => `src/${file}: add ${unitOf(file)} to MAY_IMPORT and to docs/architecture.md`);
    expect(unplaced).toEqual([]);
  });

  it('has each folder import only the folders below it', () => {
    const violations = IMPORTS.flatMap(({ file, line, specifier, target }) => {
      if (target === undefined) return [];
      const from = unitOf(file);
      const to = unitOf(target);
      const allowed = MAY_IMPORT[from] ?? [];
      if (to === from || GROUND.includes(to) || allowed.includes(to)) return [];
      const may = GROUND.includes(from) ? 'only the ground floor' : `the ground floor${allowed.length ? `, ${allowed.join(', ')}` : ''}`;
      return [`src/${file}:${line} imports '${specifier}' (${to}), but ${from} may import ${may}`];
    });
    expect(violations).toEqual([]);
  });

  it('has no file that imports itself again through a chain of imports that run at load time', () => {
    const next = new Map<string, string[]>(FILES.map((file) => [file, []]));
    for (const { file, target, typeOnly } of IMPORTS) if (target !== undefined && !typeOnly) next.get(file)!.push(target);
    const cycles = new Set<string>();
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const target of next.get(file)!) {
        if (state.get(target) === 'open') {
          const cycle = path.slice(path.indexOf(target));
          // Written from its alphabetically first file, so each cycle is reported once.
          const first = cycle.indexOf([...cycle].sort()[0]!);
          const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
          cycles.add([...rotated, rotated[0]].map((f) => `src/${f}`).join(' → '));
        } else if (!state.has(target)) visit(target);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of FILES) if (!state.has(file)) visit(file);
    expect([...cycles]).toEqual([]);
  });

  it('runs its own rules one way', () => {
    // A cycle among the rules would let two folders import each other through a third.
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (unit: string, path: string[]) => {
      state.set(unit, 'open');
      for (const below of MAY_IMPORT[unit] ?? []) {
        if (state.get(below) === 'open') cycles.push([...path, unit, below].join(' → '));
        else if (!state.has(below)) visit(below, [...path, unit]);
      }
      state.set(unit, 'done');
    };
    for (const unit of Object.keys(MAY_IMPORT)) if (!state.has(unit)) visit(unit, []);
    expect(cycles).toEqual([]);
  });
});
