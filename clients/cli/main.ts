/** @module The operator's CLI (`npm run exigent -- <command>`): directory set-up, invitations, users, recovery links, log verification and witnessing, backups. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../src/config/loadConfig';
import { DomainError } from '../../src/errors';
import { backupCommands } from './commands/backupCommands';
import { directoryCommands } from './commands/directoryCommands';
import { logCommands } from './commands/logCommands';
import { userCommands } from './commands/userCommands';
import type { Command, CommandContext } from './commands/command';

const COMMANDS: Record<string, Command> = { ...directoryCommands, ...userCommands, ...logCommands, ...backupCommands };

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}\n  ${' '.repeat(18)} ${c.usage}`);
  return `Usage: npm run exigent -- <command> [options]\n\nCommands (act on the database named by EXIGENT_DB):\n${lines.join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(name && name !== 'help' && name !== '--help' ? `Unknown command "${name}".\n\n${usage()}` : usage());
    return name === 'help' || name === '--help' ? 0 : 64;
  }
  const { values, positionals } = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  return command.run({ env: process.env, values: values as CommandContext['values'], positionals, print: (l) => console.log(l) });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError || error instanceof DomainError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 64;
  } else {
    throw error;
  }
}
