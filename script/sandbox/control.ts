/**
 * The sandbox's control API, beside the emulated cloud on the same port, for the CLI and demos:
 *   GET  /_sandbox/stats   -> SandboxStats
 *   POST /_sandbox/fault   <- SandboxFault (JSON) -> FaultResult
 * Every call needs `Authorization: Bearer <controlToken>` (generated at start, never logged). Answers are
 * JSON `{ error }` on failure; no secret is ever part of a stats or fault answer.
 */
import { timingSafeEqual } from 'node:crypto';
import { formatIssues } from '../../shared/cloud-schemas.js';
import { SandboxFault, type SandboxFaults } from './faults.js';
import type { SandboxStats } from './types.js';

export const CONTROL_PREFIX = '/_sandbox';
const MAX_BODY = 64 * 1024;

export interface ControlDeps {
  token: string;
  faults: SandboxFaults;
  stats: () => SandboxStats;
}

function json(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=utf-8', 'cache-control': 'no-store', ...extra },
  });
}

function authorized(req: Request, token: string): boolean {
  const m = /^Bearer (\S+)$/.exec(req.headers.get('authorization') ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

async function readFault(req: Request): Promise<SandboxFault | string> {
  if (!/^application\/json\b/i.test(req.headers.get('content-type') ?? '')) return 'send the fault as application/json';
  const text = await req.text();
  if (text.length > MAX_BODY) return 'body too large';
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  const parsed = SandboxFault.safeParse(raw);
  return parsed.success ? parsed.data : formatIssues(parsed.error);
}

export async function handleControl(req: Request, pathname: string, d: ControlDeps): Promise<Response> {
  if (!authorized(req, d.token))
    return json(401, { error: 'missing or wrong control token' }, { 'www-authenticate': 'Bearer' });
  const route = pathname.slice(CONTROL_PREFIX.length);
  if (route === '/stats') {
    return req.method === 'GET' ? json(200, d.stats()) : json(405, { error: 'use GET' }, { allow: 'GET' });
  }
  if (route === '/fault') {
    if (req.method !== 'POST') return json(405, { error: 'use POST' }, { allow: 'POST' });
    const fault = await readFault(req);
    if (typeof fault === 'string') return json(400, { error: fault });
    try {
      return json(200, d.faults.apply(fault));
    } catch (e) {
      return json(400, { error: (e as Error).message });
    }
  }
  return json(404, { error: `no such control route: ${pathname}` });
}
