/**
 * Reads the helper's token without creating it (for `--dry-run` and `doctor`, which must not write).
 * Same file and format as script/server/token-store.ts: `<configDir>/token`, 43 base64url characters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOKEN_FILE } from '../server/token-store.js';

export function peekToken(helperDir: string): string | undefined {
  try {
    const t = readFileSync(join(helperDir, TOKEN_FILE), 'utf8').trim();
    return /^[A-Za-z0-9_-]{43}$/.test(t) ? t : undefined;
  } catch {
    return undefined;
  }
}
