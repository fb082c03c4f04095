/**
 * The runner's boundary with the ports: errors classified once into `OpError` (OBS: request status or close
 * class; cloud: code, kind, retryable, RequestId), and port answers checked before step sees them.
 */
import type { MintedUrl, OpError } from './types.js';

type Loose = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  const m = e && typeof e === 'object' ? str((e as Loose).message) : undefined;
  return m ?? String(e);
}

/**
 * obs-websocket-js rejects with `code` = the request status (500 OutputRunning, 501 OutputNotRunning ...);
 * the shared OBS client adds `kind` ('request', 'timeout', 'closed' ...) and, for closes, `closeClass`.
 */
export function normalizeObsError(e: unknown): OpError {
  const o = (e && typeof e === 'object' ? e : {}) as Loose;
  const code = num(o.code);
  const kind = str(o.kind);
  const closeClass = str(o.closeClass);
  const isRequest = code !== undefined && (kind === undefined || kind === 'request');
  return {
    code: isRequest ? String(code) : code !== undefined ? `Close${code}` : (kind ?? 'ObsError'),
    message: messageOf(e),
    status: isRequest ? code : undefined,
    kind: closeClass ?? kind,
    retryable: kind === 'timeout' || kind === 'closed' || kind === 'not-connected' ? true : undefined,
  };
}

/** Cloud errors (script/errors.ts ApiError, or the helper's `{ code, message, retryable, requestId }` body). */
export function normalizeApiError(e: unknown): OpError {
  const o = (e && typeof e === 'object' ? e : {}) as Loose;
  const retryable = typeof o.retryable === 'boolean' ? o.retryable : undefined;
  return {
    code: str(o.code) ?? (e instanceof Error && e.name !== 'Error' ? e.name : 'Error'),
    message: messageOf(e),
    requestId: str(o.requestId),
    retryable,
    kind: str(o.kind),
    retryAfterMs: num(o.retryAfterMs),
  };
}

export function timeoutError(what: string, ms: number): OpError {
  return { code: 'Timeout', message: `${what} got no answer within ${ms} ms`, kind: 'timeout', retryable: true };
}

class BadAnswer extends Error {
  override name = 'BadAnswer';
  readonly code = 'BadAnswer';
  readonly retryable = true;
}

export function parseMinted(v: unknown): MintedUrl {
  const o = (v && typeof v === 'object' ? v : {}) as Loose;
  const expiresAt = typeof o.expiresAt === 'string' ? Date.parse(o.expiresAt) : num(o.expiresAt);
  const requestId = str(o.requestId);
  const server = str(o.server);
  const streamKey = str(o.streamKey);
  if (!requestId || !server || !streamKey || expiresAt === undefined || !Number.isFinite(expiresAt)) {
    throw new BadAnswer('the mint answer lacks requestId, server, streamKey or expiresAt');
  }
  return { requestId, server, streamKey, expiresAt };
}

export function parseParticipants(v: unknown): { requestId: string; users: string[] } {
  const o = (v && typeof v === 'object' ? v : {}) as Loose;
  const requestId = str(o.requestId);
  if (!requestId || !Array.isArray(o.users) || !o.users.every((u) => typeof u === 'string')) {
    throw new BadAnswer('the participants answer lacks requestId or users');
  }
  return { requestId, users: o.users as string[] };
}
