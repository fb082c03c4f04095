/**
 * `configuring`: the URL is in hand; waiting for OBS's STOPPED, then SetStreamServiceSettings rtmp_custom (OBS
 * answers 500 while streaming or reconnecting). Owns `stop-timeout`.
 */
import { ObsRequestStatus } from '../../obs-protocol.js';
import { log, setObs, type StateNode, type Tx } from '../context.js';
import { readSignal, stopAnswer } from '../effects/obs-output.js';
import { advanceConfiguring, obsStopSignal, toStarting } from '../enter.js';
import { attemptFailed } from '../enter-recovery.js';
import type { Event, State, StateOf } from '../types.js';

type Configuring = StateOf<'configuring'>;

function onSetResult(tx: Tx, s: Configuring, e: Extract<Event, { type: 'obs-result' }>): State {
  if (e.ok) return toStarting(tx, s);
  if (e.error.status === ObsRequestStatus.OutputRunning && !s.busyRetried) {
    // OBS still streams although we saw STOPPED (someone started it): stop again, once per attempt
    log(tx, 'warn', 'set-busy', 'SetStreamServiceSettings refused: OBS is streaming; stopping it first');
    setObs(tx, { output: 'unknown' });
    return advanceConfiguring(tx, { ...s, setOp: null, busyRetried: true });
  }
  return attemptFailed(tx, s, 'set-failed', e.error);
}

export const configuring: StateNode<'configuring'> = {
  owns: ['stop-timeout'],
  on: {
    'obs-stream-state': (tx, s, e) => obsStopSignal(tx, readSignal(tx, e)) ?? advanceConfiguring(tx, s),
    'obs-result': (tx, s, e) => {
      const stop = stopAnswer(tx, e);
      if (typeof stop === 'object') return attemptFailed(tx, s, 'stop-failed', stop.failed);
      if (stop === 'already-stopped') return advanceConfiguring(tx, s);
      if (stop === 'pending') return s; // the outcome is the STOPPED event
      return e.opId === s.setOp ? onSetResult(tx, s, e) : s;
    },
    'timer:stop-timeout': (tx, s) => {
      setObs(tx, { stopOp: null });
      return attemptFailed(tx, s, 'stop-timeout');
    },
  },
};
