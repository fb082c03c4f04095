/**
 * `recovering`: a try failed (or a storm delays the first one); the next try starts at `nextTryAt`, after the
 * full-jitter backoff. Owns `retry`. "Retry now" skips the wait.
 */
import { log, type StateNode, type Tx } from '../context.js';
import { readSignal } from '../effects/obs-output.js';
import { obsStopSignal, startAttempt, toConfirming } from '../enter.js';
import type { State, StateOf } from '../types.js';

/** The retry timer fired, or the user pressed "Retry now". */
function retryAttempt(tx: Tx, s: StateOf<'recovering'>): State {
  return startAttempt(tx, { ...s.attempt, n: s.attempt.n + 1 });
}

export const recovering: StateNode<'recovering'> = {
  owns: ['retry'],
  on: {
    'user-retry-now': (tx, s) => {
      log(tx, 'info', 'retry-now', 'Retry now pressed');
      return retryAttempt(tx, s);
    },
    'obs-stream-state': (tx, s, e) => {
      const sig = readSignal(tx, e);
      const stop = obsStopSignal(tx, sig);
      if (stop) return stop;
      // OBS streams again while we wait (a late STARTED, or its own reconnect won): confirm instead of restarting
      if (sig !== 'started' && sig !== 'reconnected') return s;
      log(
        tx,
        'info',
        'obs-streaming-again',
        'OBS streams again while we waited to retry: confirming presence instead of restarting',
      );
      return toConfirming(tx, s.attempt);
    },
    'timer:retry': retryAttempt,
  },
};
