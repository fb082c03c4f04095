/**
 * Thrown for invalid input or usage: exit code 2, message names the parameter, no request sent. A leaf of its
 * own (re-exported by cli/command.ts), so cloud/ and metrics/ can refuse a bad flag without importing the CLI.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
