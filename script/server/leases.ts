/**
 * One supervisor per OBS: a lease per OBS URL, granted when free, expired, or already held by the asker
 * (a renewal). The holder renews before `ttlMs` runs out; a holder that dies simply stops renewing and the
 * lease frees itself. In memory on purpose: after a helper restart every live holder re-acquires on its next
 * renewal. The clock is injected.
 */
import type { LeaseBody, LeaseRequest } from '../../shared/api-routes.js';

interface Lease {
  holder: string;
  expiresAt: number;
}

export interface Leases {
  request(req: LeaseRequest): LeaseBody;
}

/** `ws://LOCALHOST:4455/` and `ws://localhost:4455` are the same OBS. */
export function leaseKey(obsUrl: string): string {
  const trimmed = obsUrl.trim();
  try {
    const u = new URL(trimmed);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return trimmed.toLowerCase();
  }
}

export function createLeases(now: () => number = Date.now): Leases {
  const leases = new Map<string, Lease>();
  const iso = (ms: number) => new Date(ms).toISOString();

  return {
    request(req) {
      const key = leaseKey(req.obsUrl);
      const t = now();
      let current = leases.get(key);
      if (current && current.expiresAt <= t) {
        leases.delete(key);
        current = undefined;
      }
      if (req.release) {
        if (current && current.holder !== req.holder)
          return { granted: false, holder: current.holder, expiresAt: iso(current.expiresAt) };
        leases.delete(key);
        return { granted: false };
      }
      if (current && current.holder !== req.holder)
        return { granted: false, holder: current.holder, expiresAt: iso(current.expiresAt) };
      const lease = { holder: req.holder, expiresAt: t + req.ttlMs };
      leases.set(key, lease);
      return { granted: true, holder: lease.holder, expiresAt: iso(lease.expiresAt) };
    },
  };
}
