/**
 * `stopping`: Stop in the dock (`via: 'dock'`) or OBS's own Stop button (`via: 'obs'`); waiting for STOPPED,
 * then supervision ends. A Stop while our StartStream is out (`startOp`, even before OBS said STARTING) waits
 * for STARTED, then stops. Owns `stop-timeout`: an unconfirmed stop ends supervision anyway.
 */
import { ObsRequestStatus } from '../../obs-protocol.js';
import { errorInfo, log, setObs, type StateNode, type Tx } from '../context.js';
import { linkDown } from '../effects/obs-link.js';
import { readSignal, sendStop, stopAnswer, type Signal } from '../effects/obs-output.js';
import { persistIntent } from '../effects/supervision.js';
import { fail, stoppedByUser, toConnecting } from '../enter.js';
import type { OpError, State, StateOf } from '../types.js';

type Stopping = StateOf<'stopping'>;

function onSignal(tx: Tx, s: Stopping, sig: Signal): State {
  if (sig === 'user-stopped') {
    if (s.via === 'obs') persistIntent(tx, false);
    return stoppedByUser(tx, 'obs-stop-button', 'stopped from OBS (Stop Streaming): supervision ended');
  }
  if (sig === 'our-stopped' || sig === 'failure-stopped') {
    if (s.via === 'obs') persistIntent(tx, false);
    return stoppedByUser(tx, s.reason, 'stopped by the user');
  }
  if (sig === 'started' && s.via === 'dock' && tx.ctx.obs.stopOp === null) sendStop(tx); // it finished connecting: stop it now
  return s; // 'exit-stopped': OBS quits; its disconnect decides
}

/** Stop was pressed while our StartStream was out, and OBS answered it with an error. */
function onStartAnswer(tx: Tx, s: Stopping, error: OpError): State {
  if (error.status === undefined) return s; // deadline or closed socket: the start may be under way; its event decides
  if (error.status !== ObsRequestStatus.OutputRunning)
    return stoppedByUser(tx, s.reason, 'stopped by the user (OBS had refused the start)');
  setObs(tx, { output: 'started' }); // it streams already: stop it
  if (tx.ctx.obs.stopOp === null) sendStop(tx);
  return s;
}

export const stopping: StateNode<'stopping'> = {
  owns: ['stop-timeout'],
  on: {
    'user-stop': (tx, s) => {
      log(tx, 'debug', 'user-stop-ignored', `Stop while ${s.kind}: nothing to stop`);
      return s;
    },
    'obs-stream-state': (tx, s, e) => onSignal(tx, s, readSignal(tx, e)),
    'obs-disconnected': (tx, s, e) => {
      const down = linkDown(tx, e);
      if (typeof down === 'object') return fail(tx, down.fatal, { persist: false });
      if (down === 'quiet') return s;
      // a STOPPING without its STOPPED, then the socket closed: OBS quitting, not a user's stop; resume after its restart
      if (s.via === 'obs') return toConnecting(tx, 'adopt', null, 'obs-reconnected-not-streaming');
      return stoppedByUser(tx, 'user-stop', 'stopped by the user (OBS went away before confirming)');
    },
    'obs-result': (tx, s, e) => {
      const stop = stopAnswer(tx, e);
      if (typeof stop === 'object')
        return stoppedByUser(
          tx,
          s.reason,
          `StopStream failed (${stop.failed.code}: ${stop.failed.message}); supervision ended anyway`,
        );
      if (stop === 'already-stopped') return onSignal(tx, s, 'our-stopped');
      if (stop === 'pending') return s; // the outcome is the STOPPED event
      return e.opId === s.startOp && !e.ok ? onStartAnswer(tx, s, e.error) : s;
    },
    'timer:stop-timeout': (tx, s) => {
      setObs(tx, { stopOp: null });
      if (s.via === 'obs') persistIntent(tx, false);
      const why = { code: 'StopTimeout', message: 'OBS did not confirm the stop in time' };
      log(tx, 'warn', 'stop-timeout', `${why.message}: supervision ended anyway`, { error: errorInfo(why) });
      return stoppedByUser(tx, s.reason, 'stopped by the user (unconfirmed)');
    },
  },
};
