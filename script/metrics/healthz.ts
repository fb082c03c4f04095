/**
 * `/healthz` for uptime monitors, which read only the status code: 200 when live, or when not supervising by
 * the user's choice (never pressed Go live, pressed Stop); 503 when supervising and off air for longer than the
 * grace, or when supervision failed (it needs the user). Off air within the grace is still 200: a recovery
 * takes a few seconds and should not page anyone.
 */
import * as z from 'zod/mini';
import type { Snapshot } from '../../shared/supervisor/index.js';

export const HealthzBody = z.object({
  status: z.enum(['live', 'recovering', 'off-air', 'failed', 'not-supervising', 'unknown']),
  state: z.string(),
  offAirSeconds: z.number().check(z.nonnegative()),
});
export type HealthzBody = z.infer<typeof HealthzBody>;

/** When the current outage began: the supervisor's open off-air period, else (supervising, never live yet) the state's start. */
export function downSince(s: Snapshot): number | null {
  if (!s.locked || s.kind === 'live') return null;
  return s.offAirSince ?? s.since;
}

export function healthz(s: Snapshot | null, now: number, graceMs: number): { code: 200 | 503; body: HealthzBody } {
  if (!s) return { code: 200, body: { status: 'unknown', state: 'unknown', offAirSeconds: 0 } };
  const since = downSince(s);
  const offAirSeconds = since === null ? 0 : Math.max(0, Math.round((now - since) / 100) / 10);
  if (s.kind === 'failed') return { code: 503, body: { status: 'failed', state: s.kind, offAirSeconds } };
  if (s.kind === 'live') return { code: 200, body: { status: 'live', state: s.kind, offAirSeconds: 0 } };
  if (!s.locked) return { code: 200, body: { status: 'not-supervising', state: s.kind, offAirSeconds: 0 } };
  const down = since !== null && now - since > graceMs;
  return { code: down ? 503 : 200, body: { status: down ? 'off-air' : 'recovering', state: s.kind, offAirSeconds } };
}
