// drizzle-kit configuration: one SQL migration folder shared by better-sqlite3 and Cloudflare D1.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/runtime/schema.ts',
  out: './migrations',
});
