/** Derived facts the components show, as pure functions of the state (one place decides, tests pin them). */
import type { DockState } from './state.js';
import { IDLE_KINDS, STARTING_KINDS } from './supervisor-port.js';

/** A Go live is in flight: locked until STARTED or STOPPED (or the supervisor's timeout) settles it. */
export function isStarting(s: DockState): boolean {
  return s.goPending || STARTING_KINDS.has(s.live.kind);
}

export function isSupervising(s: DockState): boolean {
  return !IDLE_KINDS.has(s.live.kind);
}

/**
 * Not blocked by another lease holder: a press asks for the lease again (the holder may have gone), and the
 * supervisor acts on OBS only if the helper grants it.
 */
export function canGoLive(s: DockState): boolean {
  return s.helper.status === 'ready' && !isStarting(s) && !isSupervising(s);
}

export function canStop(s: DockState): boolean {
  return s.helper.status === 'ready' && (s.goPending || isSupervising(s) || s.stats.active === true);
}

export function canRetryNow(s: DockState): boolean {
  return s.live.kind === 'recovering' && s.lease.status !== 'other';
}

/** The stream's on-air time: OBS's own outputDuration when polled, else since the supervisor went live. */
export function uptimeMs(s: DockState, now: number): number | undefined {
  if (s.stats.active && s.stats.durationMs !== undefined) return s.stats.durationMs;
  if (s.live.kind === 'live' && s.live.since) return Math.max(0, now - s.live.since);
  return undefined;
}

/** Time off air including a period still running (the snapshot counts it up to when it was taken). */
export function offAirMs(s: DockState, now: number): number {
  const { counters, offAirSince, at } = s.live;
  return counters.offAirMs + (offAirSince !== null ? Math.max(0, now - at) : 0);
}
