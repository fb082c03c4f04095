/** The shape of one CLI command, and the I/O it gets (injected so tests run the CLI in-process). */
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** aborted on SIGINT/SIGTERM for long-running commands */
  signal?: AbortSignal;
}

export interface CommandContext {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  io: CliIo;
}

export interface Command {
  name: string;
  summary: string;
  /** usage lines after `artc-ingest <name>` */
  usage: string;
  /** extra help text: options, examples */
  help: string;
  options: OptionSpec;
  run(ctx: CommandContext): Promise<number>;
}

export { UsageError } from '../usage-error.js';

export const GLOBAL_OPTIONS: OptionSpec = {
  endpoint: { type: 'string' },
  sandbox: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const GLOBAL_HELP = `Global options:
  --endpoint <url>   API endpoint (default https://live.aliyuncs.com; env ALIBABA_CLOUD_LIVE_ENDPOINT)
  --sandbox          use the local sandbox cloud instead of Alibaba Cloud
  -h, --help         show help`;

/**
 * A `type: 'string'` option's value. parseArgs gives a string or nothing for those; the check (not a cast) keeps
 * that true if an option's spec ever changes type.
 */
export function stringFlag(values: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
