import { defineConfig } from 'vitest/config';

// Two runtimes, one suite: Node (real HTTP on loopback, SQLite) and workerd (the Worker, local D1/R2/Durable Objects).
// Scenario files under tests/scenarios run in both, so the runtimes cannot drift.
export default defineConfig({
  test: {
    // Vitest reads this from the root config only. In workerd, libsodium's first attempt, its WebAssembly build, is
    // refused before the asm.js fallback takes over (libsodiumAsEsm in vitest.workers.config.ts); that refusal
    // surfaces as an unhandled rejection which is expected and nothing else.
    onUnhandledError: (error: { message?: string }) => !/Wasm code generation disallowed by embedder/.test(String(error?.message)),
    projects: [
      {
        test: {
          name: 'node',
          include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'clients/**/*.test.ts'],
          exclude: ['tests/worker/**', '**/node_modules/**'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
          pool: 'forks',
        },
      },
      './vitest.workers.config.ts',
    ],
  },
});
