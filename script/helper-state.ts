/**
 * `<configDir>/helper.json`: what a running helper announces about itself, for the OBS Lua script (which has no
 * HTTP client and reads this file to show "running on port N, pid P") and for `doctor`.
 *   { "pid": 1234, "port": 4466, "parentPid": 999, "mode": "cloud", "version": "0.1.0", "startedAt": "..." }
 * Flat JSON with numbers unquoted: the Lua script reads it with string patterns. No token in it (the Lua script
 * builds the dock URL from the `token` file). Written after the server listens, removed on a clean stop.
 *
 * `probeHelper` tells whether an artc-ingest helper already answers on a port: `serve` uses it to exit 0
 * ("already running") instead of failing on a busy port when the OBS script starts a second one.
 */
import { readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { TOKEN_HEADER } from '../shared/api-routes.js';

export const HELPER_STATE_FILE = 'helper.json';

export const HelperState = z.object({
  pid: z.number(),
  port: z.number(),
  parentPid: z.optional(z.number()),
  mode: z.enum(['cloud', 'sandbox']),
  version: z.string(),
  startedAt: z.string(),
});
export type HelperState = z.infer<typeof HelperState>;

export function helperStatePath(dir: string): string {
  return join(dir, HELPER_STATE_FILE);
}

export function writeHelperState(dir: string, state: HelperState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = helperStatePath(dir);
  const tmp = `${path}.${process.pid}.tmp`;
  // one line, keys in a fixed order: the Lua script matches `"pid":(%d+)` and friends
  const { pid, port, parentPid, mode, version, startedAt } = HelperState.parse(state);
  writeFileSync(
    tmp,
    JSON.stringify({ pid, port, ...(parentPid !== undefined ? { parentPid } : {}), mode, version, startedAt }) + '\n',
    { mode: 0o600 },
  );
  renameSync(tmp, path);
}

export function readHelperState(dir: string): HelperState | undefined {
  try {
    const r = HelperState.safeParse(JSON.parse(readFileSync(helperStatePath(dir), 'utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes helper.json only if it still describes `pid` (a later helper may have replaced it). */
export function removeHelperState(dir: string, pid: number = process.pid): void {
  if (readHelperState(dir)?.pid === pid) rmSync(helperStatePath(dir), { force: true });
}

export type HelperProbe =
  | { kind: 'free' }
  /** our helper, and it accepted this token */
  | { kind: 'ours'; version?: string | undefined; mode?: string | undefined }
  /** an artc-ingest helper that refused this token (another config folder) */
  | { kind: 'ours-other-token' }
  /** something else answers: status, or the error text */
  | { kind: 'other'; detail: string };

/**
 * GET /api/health with the token, with a deadline. Connection refused -> free. A 200 `{ok:true}` -> ours; a 401
 * whose body has our error codes (TokenRequired / TokenInvalid) -> an artc-ingest helper with another token.
 */
export async function probeHelper(
  port: number,
  token: string | undefined,
  fetchFn: typeof fetch = fetch,
  timeoutMs = 2_000,
): Promise<HelperProbe> {
  let res: Response;
  try {
    res = await fetchFn(`http://127.0.0.1:${port}/api/health`, {
      headers: token ? { [TOKEN_HEADER]: token } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return { kind: 'free' };
    return { kind: 'other', detail: code ?? (e as Error).message };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const b = (body ?? {}) as { ok?: unknown; version?: unknown; mode?: unknown; code?: unknown };
  if (res.status === 200 && b.ok === true)
    return {
      kind: 'ours',
      version: typeof b.version === 'string' ? b.version : undefined,
      mode: typeof b.mode === 'string' ? b.mode : undefined,
    };
  if (res.status === 401 && (b.code === 'TokenRequired' || b.code === 'TokenInvalid'))
    return { kind: 'ours-other-token' };
  return { kind: 'other', detail: `HTTP ${res.status}` };
}
