/**
 * `artc-ingest <command> [options]`: dispatch, strict flag parsing (unknown flags are a usage error),
 * `--help` on every command, and the exit-code contract: 0 ok, 2 invalid input/usage, 1 other failures.
 */
import { parseArgs } from 'node:util';
import { ApiError } from '../cloud/errors.js';
import { CredentialsError } from '../cloud/credentials.js';
import { GLOBAL_HELP, GLOBAL_OPTIONS, UsageError, type CliIo, type Command } from './command.js';
import { commands } from './commands.js';
import { VERSION } from '../version.js';

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `artc-ingest ${VERSION}: go live from OBS Studio into an Alibaba Cloud ARTC channel, and stay live.`,
    '',
    'Usage: artc-ingest <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    GLOBAL_HELP,
    '',
    "Run `artc-ingest <command> --help` for a command's options.",
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`Usage: artc-ingest ${c.name} ${c.usage}`, '', c.summary, '', c.help, '', GLOBAL_HELP].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`artc-ingest: unknown command "${name}"\n\n${mainHelp()}\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    io.stderr(
      `artc-ingest ${name}: ${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}\nRun \`artc-ingest ${name} --help\` for usage.\n`,
    );
    return 2;
  }
  if (parsed.values.help) {
    io.stdout(commandHelp(command) + '\n');
    return 0;
  }
  try {
    return await command.run({
      values: parsed.values as Record<string, string | boolean | undefined>,
      positionals: parsed.positionals,
      io,
    });
  } catch (e) {
    return reportError(name, e, io);
  }
}

function reportError(name: string, e: unknown, io: CliIo): number {
  if (e instanceof UsageError) {
    io.stderr(`artc-ingest ${name}: ${e.message}\n`);
    return 2;
  }
  if (e instanceof ApiError) {
    io.stderr(`artc-ingest ${name}: ${e.describe()}\n`);
    if (e.kind === 'signature' && e.code === 'InvalidTimeStamp.Expired')
      io.stderr('Hint: your clock is off by more than 15 minutes; sync it (run `artc-ingest doctor`).\n');
    return e.kind === 'input' && e.status === undefined ? 2 : 1;
  }
  if (e instanceof CredentialsError) {
    io.stderr(`artc-ingest ${name}: ${e.message}\n`);
    return 1;
  }
  io.stderr(`artc-ingest ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
}
