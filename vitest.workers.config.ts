/**
 * The workerd half of the suite: tests/worker/** run inside workerd with @cloudflare/vitest-pool-workers, against the
 * Worker of wrangler.toml with local D1, R2 and Durable Objects; migrations/ are applied by tests/worker/setup.ts.
 */
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { generateKeyPairSync } from 'node:crypto';
import type { Plugin } from 'vite';

const nodeModule = (path: string) => fileURLToPath(new URL(`./node_modules/${path}`, import.meta.url));

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      main: './src/runtime/worker/index.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url))),
          // A fresh key per run, as `wrangler secret put` would provide.
          EXIGENT_LOG_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
          EXIGENT_AUTH_RATE_LIMIT: '10000',
          EXIGENT_CHALLENGE_RATE_PER_MINUTE: '10000',
          EXIGENT_LOG_LEVEL: 'warn',
        },
      },
    }),
    libsodiumAsEsm(),
  ],
  resolve: {
    // Test clients encrypt with libsodium like real devices. workerd forbids compiling WebAssembly from bytes, so
    // clients here use libsodium's CommonJS build, which falls back to its asm.js copy (the server never uses it),
    // run as an ES module by libsodiumAsEsm below.
    alias: [
      { find: /^libsodium-wrappers$/, replacement: nodeModule('libsodium-wrappers/dist/modules/libsodium-wrappers.js') },
      { find: /^libsodium$/, replacement: nodeModule('libsodium/dist/modules/libsodium.js') },
    ],
  },
  test: {
    name: 'workerd',
    include: ['tests/worker/**/*.test.ts'],
    setupFiles: ['./tests/worker/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The expected refusal of libsodium's WebAssembly build is filtered in vitest.config.ts (root-only option).
  },
}));

/**
 * Only libsodium's CommonJS build works in workerd (it falls back to asm.js), but run as CommonJS by Vitest's module
 * runner it recurses forever in the runner's `exports` proxy (RangeError: Maximum call stack size exceeded), and
 * libsodium-wrappers then finds no `ready` promise. So both UMD bundles run as ES modules here, with plain
 * `exports`/`module` objects and a `require` that knows only what they ask for (node:fs is asked for, then unused).
 */
function libsodiumAsEsm(): Plugin {
  const bundles = new Map([
    [nodeModule('libsodium/dist/modules/libsodium.js'), { imports: '', modules: "{ 'node:fs': {} }" }],
    [nodeModule('libsodium-wrappers/dist/modules/libsodium-wrappers.js'), { imports: "import libsodium from 'libsodium';", modules: '{ libsodium }' }],
  ]);
  return {
    name: 'exigent:libsodium-as-esm',
    enforce: 'pre',
    transform(code, id) {
      const bundle = bundles.get(id.split('?')[0]!);
      if (!bundle) return undefined;
      return [
        bundle.imports,
        'const exports = {};',
        'const module = { exports };',
        `const __modules = ${bundle.modules};`,
        'const require = (name) => { if (name in __modules) return __modules[name]; throw new Error(`no ${name} for libsodium in workerd`); };',
        // The bundles take `this` as their global scope; in an ES module it is undefined.
        `(function () {\n${code}\n}).call(globalThis);`,
        'export default exports;',
      ].join('\n');
    },
  };
}
