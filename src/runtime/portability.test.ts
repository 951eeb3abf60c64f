// Shared code runs unchanged on Node and in workerd: only the runtime folders and the SQLite adapter's files may use
// Node's built-ins, Node-only packages or Node's globals. Everything else keeps to Web-standard APIs (STYLE.md).
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runtime entry points (each knows its runtime) and the better-sqlite3 adapter's files; tests run on Node. */
const NODE_ONLY = [/^src\/runtime\/(node|worker)\//, /^src\/storage\/(sqliteDatabase|walCheckpointer|backup)\.ts$/, /\.test\.ts$/];
const NODE_ONLY_PACKAGES = ['better-sqlite3', 'nodemailer', 'pino', '@hono/node-server', '@hono/node-ws', 'ws'];
const BUILTINS = new Set(builtinModules);
const NODE_GLOBALS: ReadonlyArray<[string, RegExp]> = [
  ['Buffer', /(?<![\w$])Buffer(?![\w$])/],
  ['setImmediate', /(?<![\w$])setImmediate(?![\w$])/],
  ['process.', /(?<![\w$])process\s*\./],
];
const IMPORT = /\b(?:from|import|require)\s*\(?\s*(['"])([^'"]+)\1/g;

function forbiddenImport(file: string, specifier: string): boolean {
  // The one synchronous SHA-256 (Workers provide it under nodejs_compat); see the module's comment.
  if (file === 'src/crypto/sha256.ts' && specifier === 'node:crypto') return false;
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return true;
  return NODE_ONLY_PACKAGES.some((name) => specifier === name || specifier.startsWith(`${name}/`));
}

const REGEX_AFTER = /[(,=:[!&|?{};+\-*%<>~^]|^$/;
const REGEX_AFTER_WORD = /\b(?:return|typeof|case|void|yield|await|in|of|delete|throw|new|else|do)$/;

/**
 * Two views of `source` with every character kept in place (so lines stay lines): `imports` without comments,
 * `code` also without the text of strings, templates and regular expressions.
 */
function strip(source: string): { imports: string; code: string } {
  const imports = source.split('');
  const code = source.split('');
  const blank = (view: string[], from: number, to: number) => {
    for (let k = from; k < to; k++) if (view[k] !== '\n') view[k] = ' ';
  };
  const templates: number[] = []; // brace depth at which each open `${` returns to its template
  let depth = 0;
  let prev = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let end = i + 1;
    if (c === '/' && (source[i + 1] === '/' || source[i + 1] === '*')) {
      const close = source[i + 1] === '/' ? source.indexOf('\n', i) : source.indexOf('*/', i + 2) + 2;
      end = close < i + 2 ? source.length : close; // unterminated: the comment runs to the end
      blank(imports, i, end);
      blank(code, i, end);
    } else if (c === '"' || c === "'") {
      while (end < source.length && source[end] !== c && source[end] !== '\n') end += source[end] === '\\' ? 2 : 1;
      blank(code, i + 1, end++);
      prev = c;
    } else if (c === '`' || (c === '}' && templates.at(-1) === depth)) {
      if (c === '}') templates.pop();
      while (end < source.length && source[end] !== '`' && !(source[end] === '$' && source[end + 1] === '{')) end += source[end] === '\\' ? 2 : 1;
      blank(code, i + 1, end);
      const substitution = source[end] === '$';
      if (substitution) templates.push(depth);
      prev = substitution ? '{' : '`';
      end += substitution ? 2 : 1;
    } else if (c === '/' && (REGEX_AFTER.test(prev) || REGEX_AFTER_WORD.test(source.slice(Math.max(0, i - 8), i).trimEnd()))) {
      for (let inClass = false; end < source.length && source[end] !== '\n' && (inClass || source[end] !== '/'); end++) {
        if (source[end] === '\\') end++;
        else if (source[end] === '[') inClass = true;
        else if (source[end] === ']') inClass = false;
      }
      blank(code, i + 1, end++);
      prev = '/';
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      if (!/\s/.test(c)) prev = c;
    }
    i = end;
  }
  return { imports: imports.join(''), code: code.join('') };
}

function violationsIn(file: string): string[] {
  const { imports, code } = strip(readFileSync(`${ROOT}${file}`, 'utf8'));
  const codeLines = code.split('\n');
  return imports.split('\n').flatMap((line, index) => {
    const at = `${file}:${index + 1}`;
    const found = [...line.matchAll(IMPORT)].filter((m) => forbiddenImport(file, m[2]!)).map((m) => `${at} imports ${m[2]}`);
    for (const [name, pattern] of NODE_GLOBALS) if (pattern.test(codeLines[index]!)) found.push(`${at} uses ${name}`);
    return found;
  });
}

const sharedFiles = readdirSync(`${ROOT}src`, { recursive: true, encoding: 'utf8' })
  .map((path) => `src/${path.replaceAll('\\', '/')}`)
  .filter((file) => file.endsWith('.ts') && !NODE_ONLY.some((pattern) => pattern.test(file)))
  .sort();

describe('shared code', () => {
  it('uses no Node built-in, Node-only package or Node global', () => {
    expect(sharedFiles.length).toBeGreaterThan(50);
    expect(sharedFiles.flatMap(violationsIn)).toEqual([]);
  });
});
