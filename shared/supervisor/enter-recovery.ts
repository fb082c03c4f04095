/**
 * Entering recovery: a detection (the start of a recovery, with the storm brake and the recovery limit), a
 * failed attempt and the backoff before the next one, and OBS's own reconnect while live. The rest of the ways
 * into a state are in enter.ts, which this module builds on.
 */
import { fullJitterDelay } from '../retry-policy.js';
import {
  cfg,
  draw,
  errorInfo,
  log,
  needsUser,
  patchCtx,
  requestIdsOf,
  setLastError,
  timer,
  to,
  type Tx,
} from './context.js';
import { storming } from './effects/supervision.js';
import { fail, startAttempt } from './enter.js';
import type { Attempt, DetectionReason, ErrorInfo, FailureReason, OpError, State, StateOf } from './types.js';

const FAILURE_TEXT: Record<FailureReason, string> = {
  'mint-failed': 'could not mint an ingest URL',
  'stop-failed': 'StopStream failed',
  'stop-timeout': 'OBS did not reach STOPPED in time',
  'set-failed': 'SetStreamServiceSettings failed',
  'start-rejected': 'StartStream was refused',
  'start-failed': 'OBS could not connect to the ingest (STOPPED without STARTED)',
  'start-timeout': 'neither STARTED nor STOPPED arrived in time after StartStream',
  'confirm-timeout': 'OBS streams but the publisher did not appear in the channel in time',
  'confirm-obs-stopped': 'OBS stopped while the publisher was being confirmed',
  'confirm-obs-reconnecting': 'OBS lost the connection while the publisher was being confirmed',
};

/**
 * A failed attempt and the wait before the next one: exponential backoff with full jitter (base 1 s, cap 60 s,
 * unlimited by default: shared/retry-policy.ts), never shorter than a server's retry-after, and at least the
 * storm delay while the user is being removed again and again. Cloud errors no retry can fix (input, auth,
 * signature) stop supervision and say why.
 */
export function attemptFailed(tx: Tx, s: { attempt: Attempt }, failure: FailureReason, error?: OpError): State {
  const err: ErrorInfo = error ? errorInfo(error) : { code: failure, message: FAILURE_TEXT[failure] };
  setLastError(tx, err);
  if (error && failure === 'mint-failed' && needsUser(error)) return fail(tx, err);
  const c = cfg(tx);
  const n = s.attempt.n;
  let delay = fullJitterDelay(n, draw(tx), c.retry);
  if (delay === null) {
    return fail(tx, {
      code: 'RetriesExhausted',
      message: `gave up after ${n} tries; the last: ${FAILURE_TEXT[failure]} (${err.code}: ${err.message})`,
      requestId: err.requestId,
    });
  }
  if (storming(tx)) delay = Math.max(delay, c.stormMinDelayMs);
  delay = Math.max(delay, error?.retryAfterMs ?? 0);
  log(
    tx,
    'warn',
    failure,
    `try ${n} failed: ${FAILURE_TEXT[failure]} (${err.code}: ${err.message}); next try in ${delay} ms`,
    {
      attempt: n,
      error: err,
      ...requestIdsOf(err),
    },
  );
  timer(tx, 'retry', delay);
  return to(
    tx,
    { kind: 'recovering', attempt: s.attempt, nextTryAt: tx.now + delay, lastFailure: failure },
    s.attempt.trigger,
  );
}

/**
 * A detection: the start of a recovery. Only `live` and `connecting` (after a reconcile) detect, so two
 * detections at once give one recovery: the second one finds the supervisor minting or stopping, whose
 * handlers do not detect, and is absorbed there.
 */
export function detect(tx: Tx, reason: DetectionReason, message: string, requestIds?: string[]): State {
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
    log(
      tx,
      'warn',
      'recovery-storm',
      `removed again and again: ${recent.length} recoveries in ${minutes} min (is an admin kicking ${who}?); slowing down to one try per ${c.stormMinDelayMs} ms`,
    );
    timer(tx, 'retry', c.stormMinDelayMs);
    return to(
      tx,
      { kind: 'recovering', attempt, nextTryAt: tx.now + c.stormMinDelayMs, lastFailure: 'storm-delay' },
      reason,
    );
  }
  return startAttempt(tx, { ...attempt, n: 1 });
}

/** OBS began its own reconnect while live: take over at once, or let it try for the grace period. */
export function liveReconnecting(tx: Tx, s: StateOf<'live'>): State {
  if (s.obsReconnectingSince !== null) return s; // one event per OBS retry
  const grace = cfg(tx).reconnectGraceMs;
  if (grace === 0) {
    return detect(
      tx,
      'obs-reconnecting',
      'OBS lost the connection and began its own reconnect to the same, possibly expired URL; taking over at once',
    );
  }
  timer(tx, 'grace', grace);
  log(tx, 'info', 'obs-reconnecting-grace', `OBS is reconnecting by itself: letting it try for ${grace} ms`);
  return { ...s, obsReconnectingSince: tx.now };
}
