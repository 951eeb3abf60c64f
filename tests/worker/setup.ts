// Each test file starts from the schema in migrations/, applied as `wrangler d1 migrations apply` would.
import { applyD1Migrations, env } from 'cloudflare:test';

declare module 'cloudflare:test' {
  interface ProvidedEnv {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
  }
}

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
