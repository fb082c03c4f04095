/**
 * A failed attempt and the wait before the next one: exponential backoff with full jitter (base 1 s, cap 60 s,
 * unlimited by default: shared/retry-policy.ts), never shorter than a server's retry-after, and at least the
 * storm delay while the user is being removed again and again. Cloud errors no retry can fix (input, auth,
 * signature) stop supervision and say why.
 */
import { fullJitterDelay } from '../retry-policy.js';
import { cfg, draw, errorInfo, log, needsUser, requestIdsOf, setLastError, timer, to, type Tx } from './context.js';
import { storming } from './detect.js';
import { fail } from './lifecycle.js';
import type { Signal } from './obs-output.js';
import { startAttempt, toConfirming } from './pipeline.js';
import type { Attempt, ErrorInfo, FailureReason, OpError, State, StateOf } from './types.js';

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

export function attemptFailed(tx: Tx, s: { attempt: Attempt }, failure: FailureReason, error?: OpError): State {
  const err: ErrorInfo = error ? errorInfo(error) : { code: failure, message: FAILURE_TEXT[failure] };
  setLastError(tx, err);
  if (error && failure === 'mint-failed' && needsUser(error)) return fail(tx, err);
  const c = cfg(tx);
  const n = s.attempt.n;
  let delay = fullJitterDelay(n, draw(tx), c.retry);
  if (delay === null) {
    return fail(tx, { code: 'RetriesExhausted', message: `gave up after ${n} tries; the last: ${FAILURE_TEXT[failure]} (${err.code}: ${err.message})`, requestId: err.requestId });
  }
  if (storming(tx)) delay = Math.max(delay, c.stormMinDelayMs);
  delay = Math.max(delay, error?.retryAfterMs ?? 0);
  log(tx, 'warn', failure, `try ${n} failed: ${FAILURE_TEXT[failure]} (${err.code}: ${err.message}); next try in ${delay} ms`, {
    attempt: n,
    error: err,
    ...requestIdsOf(err),
  });
  timer(tx, 'retry', delay);
  return to(tx, { kind: 'recovering', attempt: s.attempt, nextTryAt: tx.now + delay, lastFailure: failure }, s.attempt.trigger);
}

/** The retry timer fired, or the user pressed "Retry now". */
export function retryAttempt(tx: Tx, s: StateOf<'recovering'>): State {
  return startAttempt(tx, { ...s.attempt, n: s.attempt.n + 1 });
}

/** OBS streams again while we wait (a late STARTED, or its own reconnect won): confirm instead of restarting. */
export function onRecoveringSignal(tx: Tx, s: StateOf<'recovering'>, sig: Signal): State {
  if (sig !== 'started' && sig !== 'reconnected') return s;
  log(tx, 'info', 'obs-streaming-again', 'OBS streams again while we waited to retry: confirming presence instead of restarting');
  return toConfirming(tx, s.attempt);
}
