/** `--port` for serve, install and doctor: shared/port.ts's check, as a usage error (exit 2) naming the range. */
import { DEFAULT_HELPER_PORT, MAX_PORT, toPort } from '../../shared/port.js';
import { UsageError } from './command.js';

export const DEFAULT_PORT = DEFAULT_HELPER_PORT;

export function parsePort(raw: string | boolean | undefined, { min = 1, dflt = DEFAULT_PORT } = {}): number {
  if (raw === undefined) return dflt;
  const port = typeof raw === 'string' ? toPort(raw, min) : undefined;
  if (port === undefined)
    throw new UsageError(`--port: must be a whole number from ${min} to ${MAX_PORT}, got "${String(raw)}"`);
  return port;
}
