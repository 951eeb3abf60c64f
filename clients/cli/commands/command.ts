/** @module The shape of one CLI command, and opening the server's services from the environment. */
import pino from 'pino';
import { loadConfig } from '../../../src/config/loadConfig';
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

export function requireString(values: CommandContext['values'], name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`--${name} is required`);
  return value;
}
