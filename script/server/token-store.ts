/**
 * The helper's per-install API token: 32 random bytes, base64url (43 characters), in `<configDir>/token`,
 * mode 0600, created once and reused, so a dock URL pasted into OBS keeps working across helper restarts.
 * Lives here (not in install/) because serve, run, doctor and install all read it.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'token';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface TokenStoreOptions {
  randomBytes?: (n: number) => Buffer;
  platform?: NodeJS.Platform;
}

function readToken(path: string): string | null {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return TOKEN_PATTERN.test(text) ? text : null;
  } catch {
    return null;
  }
}

/**
 * The token without creating it, for `install --dry-run`, `doctor`, `serve`'s banner and `run`'s lease, which must
 * not write (one reader with loadOrCreateToken, so both accept the same file).
 */
export function peekToken(dir: string): string | undefined {
  return readToken(join(dir, TOKEN_FILE)) ?? undefined;
}

export function loadOrCreateToken(dir: string, opts: TokenStoreOptions = {}): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, TOKEN_FILE);
  const existing = readToken(path);
  if (existing) {
    // an older or hand-made file may be world-readable: tighten it (chmod is a no-op on Windows)
    if ((opts.platform ?? process.platform) !== 'win32') chmodSync(path, 0o600);
    return existing;
  }
  const token = (opts.randomBytes ?? nodeRandomBytes)(32).toString('base64url');
  try {
    // 'wx': if two helpers start at once, the first one's token wins and the second reads it
    writeFileSync(path, token + '\n', { mode: 0o600, flag: 'wx' });
    return token;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const raced = readToken(path);
  if (raced) return raced;
  // the file exists but holds garbage: replace it
  writeFileSync(path, token + '\n', { mode: 0o600 });
  if ((opts.platform ?? process.platform) !== 'win32') chmodSync(path, 0o600);
  return token;
}
