/**
 * `starting`: StartStream sent; waiting for STARTED or STOPPED (StartStream's own success says nothing, and a
 * second start while one connects can crash OBS). Owns `start-timeout`.
 */
import { ObsRequestStatus } from '../../obs-protocol.js';
import { log, type StateNode, type Tx } from '../context.js';
import { readSignal, stopAnswer } from '../effects/obs-output.js';
import { obsStopSignal, toConfirming, userStop } from '../enter.js';
import { attemptFailed } from '../enter-recovery.js';
import type { Event, State, StateOf } from '../types.js';

type Starting = StateOf<'starting'>;

function onStartResult(tx: Tx, s: Starting, e: Extract<Event, { type: 'obs-result' }>): State {
  if (e.ok) return s; // says nothing: the outcome is the STARTED or STOPPED event
  if (e.error.status === ObsRequestStatus.OutputRunning) {
    log(
      tx,
      'info',
      'start-already-running',
      'StartStream: 500 OutputRunning, OBS already streams: confirming presence',
    );
    return toConfirming(tx, s.attempt);
  }
  // no request status (deadline, closed socket): the start may be under way; its event or start-timeout decides
  if (e.error.status === undefined) return s;
  return attemptFailed(tx, s, 'start-rejected', e.error);
}

export const starting: StateNode<'starting'> = {
  owns: ['start-timeout'],
  on: {
    // our StartStream is out: the stop must wait for its outcome
    'user-stop': (tx, s) => userStop(tx, s.startOp),
    'obs-stream-state': (tx, s, e) => {
      const sig = readSignal(tx, e);
      const stop = obsStopSignal(tx, sig);
      if (stop) return stop;
      if (sig === 'started' || sig === 'reconnected') return toConfirming(tx, s.attempt);
      if (sig === 'failure-stopped')
        return attemptFailed(tx, s, 'start-failed', {
          code: 'StartFailed',
          message: 'OBS could not connect to the ingest (STOPPED without STARTED)',
        });
      return s;
    },
    'obs-result': (tx, s, e) => {
      if (stopAnswer(tx, e) !== 'not-ours') return s;
      return e.opId === s.startOp ? onStartResult(tx, s, e) : s;
    },
    'timer:start-timeout': (tx, s) => attemptFailed(tx, s, 'start-timeout'),
  },
};
