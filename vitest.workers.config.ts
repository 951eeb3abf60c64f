/**
 * The workerd half of the suite: tests/worker/** run inside workerd with @cloudflare/vitest-pool-workers, against the
 * Worker of wrangler.toml with local D1, R2 and Durable Objects; migrations/ are applied by tests/worker/setup.ts.
 */
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { generateKeyPairSync } from 'node:crypto';

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
          EXIGENT_LOG_LEVEL: 'warn',
        },
      },
    }),
  ],
  resolve: {
    // Test clients encrypt with libsodium like real devices. workerd forbids compiling WebAssembly from bytes, so
    // clients here use libsodium's CommonJS build, which falls back to its asm.js copy (the server never uses it).
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
    // libsodium's first attempt, the WebAssembly build, is refused by workerd before the asm.js fallback takes
    // over; that refusal surfaces as an unhandled rejection which is expected and nothing else.
    onUnhandledError: (error: { message?: string }) => !/Wasm code generation disallowed by embedder/.test(String(error?.message)),
  },
}));
