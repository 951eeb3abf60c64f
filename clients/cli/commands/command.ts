/** @module The shape of one CLI command, and opening the server's services from the environment. */
import pino from 'pino';
import type { z } from 'zod';
import { loadConfig } from '../../../src/config/loadConfig';
import { Invalid } from '../../../src/errors';
import { openNodeServices, type NodeServices } from '../../../src/runtime/node/openServices';

export interface CommandContext {
  env: Record<string, string | undefined>;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  print(line: string): void;
}

export interface Command {
  summary: string;
  usage: string;
  options?: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  /** Resolves to the process exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Opens the same database the server uses; SQLite's WAL lets the CLI work while the server runs. */
export async function withServices<T>(env: Record<string, string | undefined>, work: (services: NodeServices) => Promise<T>): Promise<T> {
  const services = await openNodeServices(loadConfig(env), { logger: pino({ level: 'silent' }) });
  try {
    return await work(services);
  } finally {
    services.database.close();
  }
}

/**
 * Parses operator input with the API's own schema (src/http/schemas.ts), so names and text typed here follow the same
 * rules; a refusal names the option (or the path inside a seed file) and exits 64 like any other mistake.
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, label?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const where = (path: PropertyKey[]) => [label, path.map(String).join('.')].filter(Boolean).join(' ');
  throw new Invalid(result.error.issues.map((issue) => `${where(issue.path)}: ${issue.message}`).join('; '));
}

export function requireString(values: CommandContext['values'], name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`--${name} is required`);
  return value;
}
