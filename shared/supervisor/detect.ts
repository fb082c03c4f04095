/**
 * Detections while live, and the start of a recovery. A detection is only acted on from a state that is not
 * already recovering (live, or connecting after a reconcile), so two detections at once give one recovery:
 * the second one finds the supervisor minting or stopping and is absorbed there.
 */
import { cancelTimer, cfg, log, patchCtx, timer, to, type Tx } from './context.js';
import { fail } from './lifecycle.js';
import type { Signal } from './obs-output.js';
import { startAttempt } from './pipeline.js';
import type { DetectionReason, State, StateOf } from './types.js';

const RECOVERING: ReadonlySet<State['kind']> = new Set(['minting', 'configuring', 'starting', 'confirming', 'recovering']);

/** More than `stormThreshold` recoveries inside the window: an admin may be removing the user again and again. */
export function storming(tx: Tx): boolean {
  const c = cfg(tx);
  return tx.ctx.recentRecoveries.filter((t) => tx.now - t < c.stormWindowMs).length > c.stormThreshold;
}

export function detect(tx: Tx, s: State, reason: DetectionReason, message: string, requestIds?: string[]): State {
  if (RECOVERING.has(s.kind)) {
    log(tx, 'debug', 'detection-absorbed', `${reason} while ${s.kind}: already recovering`);
    return s;
  }
  const c = cfg(tx);
  const recent = [...tx.ctx.recentRecoveries.filter((t) => tx.now - t < c.stormWindowMs), tx.now];
  patchCtx(tx, {
    recentRecoveries: recent,
    offAirSince: tx.ctx.offAirSince ?? tx.now,
    presence: { ...tx.ctx.presence, absentPolls: 0, status: 'unknown' },
  });
  log(tx, 'warn', reason, `${message}: recovering`, { recovery: reason, ...(requestIds ? { requestIds } : {}) });
  const minutes = Math.round(c.stormWindowMs / 60_000);
  const max = c.maxRecoveriesInWindow;
  if (max !== undefined && recent.length > max) {
    return fail(tx, {
      code: 'RecoveryLimit',
      message: `${recent.length} recoveries within ${minutes} min (limit ${max}): an admin may be removing this user from the channel`,
    });
  }
  const attempt = { n: 0, trigger: reason, startedAt: tx.now };
  if (recent.length > c.stormThreshold) {
    const who = tx.ctx.channel?.userId ?? 'the publisher';
    log(tx, 'warn', 'recovery-storm', `removed again and again: ${recent.length} recoveries in ${minutes} min (is an admin kicking ${who}?); slowing down to one try per ${c.stormMinDelayMs} ms`);
    timer(tx, 'retry', c.stormMinDelayMs);
    return to(tx, { kind: 'recovering', attempt, nextTryAt: tx.now + c.stormMinDelayMs, lastFailure: 'storm-delay' }, reason);
  }
  return startAttempt(tx, { ...attempt, n: 1 });
}

/** OBS's stream events while live: failure, OBS's own reconnect (take over, or let it try for the grace period). */
export function onLiveSignal(tx: Tx, s: StateOf<'live'>, sig: Signal): State {
  switch (sig) {
    case 'failure-stopped':
      return detect(tx, s, 'obs-stopped', 'OBS stopped the stream with no STOPPING before it, not asked for (the output failed)');
    case 'reconnecting': {
      if (s.obsReconnectingSince !== null) return s; // one event per OBS retry
      const grace = cfg(tx).reconnectGraceMs;
      if (grace === 0) {
        return detect(tx, s, 'obs-reconnecting', 'OBS lost the connection and began its own reconnect to the same, possibly expired URL; taking over at once');
      }
      timer(tx, 'grace', grace);
      log(tx, 'info', 'obs-reconnecting-grace', `OBS is reconnecting by itself: letting it try for ${grace} ms`);
      return { ...s, obsReconnectingSince: tx.now };
    }
    case 'started':
    case 'reconnected': {
      if (s.obsReconnectingSince === null) return s;
      cancelTimer(tx, 'grace');
      log(tx, 'info', 'obs-reconnected', `OBS reconnected by itself after ${tx.now - s.obsReconnectingSince} ms`);
      return { ...s, obsReconnectingSince: null };
    }
    default:
      return s;
  }
}

export function onGraceTimer(tx: Tx, s: StateOf<'live'>): State {
  if (s.obsReconnectingSince === null) return s;
  const grace = cfg(tx).reconnectGraceMs;
  return detect(tx, s, 'obs-reconnecting', `OBS still reconnecting after the ${grace} ms grace period; taking over`);
}
