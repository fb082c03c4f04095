/**
 * One supervisor per OBS: `run` asks the local helper for the same lease the dock asks for, so the two never
 * act on one OBS at once. The helper is looked up on every request (helper.json + token), because it may start
 * after `run` or restart. With no helper running no dock can act (the dock needs the helper to mint URLs), so
 * the lease is ours, and we say so once in the log.
 */
import { LeaseBody, TOKEN_HEADER } from '../../shared/api-routes.js';
import type { LeasePort } from '../../shared/supervisor/index.js';
import { readHelperState } from '../helper-state.js';
import { peekToken } from '../server/token-store.js';

export interface HelperLeaseOptions {
  configDir: string;
  holder: string;
  obsUrl: string;
  ttlMs: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  log: (line: string) => void;
}

export function helperLease(o: HelperLeaseOptions): LeasePort {
  const fetchFn = o.fetch ?? fetch;
  let saidAlone = false;
  return {
    async request(action) {
      const helper = readHelperState(o.configDir);
      const token = peekToken(o.configDir);
      if (!helper || !token) {
        if (!saidAlone)
          o.log('no artc-ingest helper is running: no dock can act on OBS, so this process supervises alone');
        saidAlone = true;
        return { granted: true };
      }
      saidAlone = false;
      const res = await fetchFn(`http://127.0.0.1:${helper.port}/api/lease`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
        body: JSON.stringify({
          holder: o.holder,
          obsUrl: o.obsUrl,
          ttlMs: o.ttlMs,
          ...(action === 'release' ? { release: true } : {}),
        }),
        signal: AbortSignal.timeout(o.timeoutMs ?? 3_000),
      }).catch((e: unknown) => {
        // helper.json names a helper that does not answer (crashed): nobody can act through it
        if ((e as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return null;
        throw e;
      });
      if (res === null) return { granted: true };
      if (!res.ok)
        throw Object.assign(new Error(`lease: helper answered HTTP ${res.status}`), {
          code: 'LeaseUnavailable',
          retryable: true,
        });
      const body = LeaseBody.parse(await res.json());
      return { granted: body.granted, ...(body.holder ? { holder: body.holder } : {}) };
    },
  };
}
