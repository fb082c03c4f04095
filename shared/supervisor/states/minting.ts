/**
 * `minting`: one Create call for this attempt's URL (or joining the spare's mint already in flight), while OBS
 * is brought to STOPPED in parallel. Owns `stop-timeout`: OBS must reach STOPPED in time.
 */
import { log, setObs, type StateNode, type Tx } from '../context.js';
import { ensureStopped, readSignal, stopAnswer } from '../effects/obs-output.js';
import { spareAnswered, stamp, usableUrl } from '../effects/refresh.js';
import { obsStopSignal, toConfiguring } from '../enter.js';
import { attemptFailed } from '../enter-recovery.js';
import type { Event, State, StateOf } from '../types.js';

type Minting = StateOf<'minting'>;

function onMinted(tx: Tx, s: Minting, e: Extract<Event, { type: 'mint-result' }>): State {
  if (!e.ok) return attemptFailed(tx, s, 'mint-failed', e.error);
  const url = stamp(tx, e.url);
  if (!usableUrl(tx, url)) {
    const error = {
      code: 'UrlAlreadyExpiring',
      message: `the minted URL expires at ${new Date(url.expiresAt).toISOString()}: check the clock and ExpireTime`,
      requestId: url.requestId,
    };
    return attemptFailed(tx, s, 'mint-failed', error);
  }
  log(tx, 'info', 'minted', `URL minted, valid until ${new Date(url.expiresAt).toISOString()}`, {
    requestIds: [url.requestId],
  });
  return toConfiguring(tx, s.attempt, url);
}

export const minting: StateNode<'minting'> = {
  owns: ['stop-timeout'],
  on: {
    'obs-stream-state': (tx, s, e) => {
      const stop = obsStopSignal(tx, readSignal(tx, e));
      if (stop) return stop;
      ensureStopped(tx); // a late STARTED after we thought OBS stopped: stop it too
      return s;
    },
    'obs-result': (tx, s, e) => {
      const stop = stopAnswer(tx, e);
      if (typeof stop === 'object') return attemptFailed(tx, s, 'stop-failed', stop.failed);
      if (stop === 'already-stopped') ensureStopped(tx);
      return s;
    },
    'mint-result': (tx, s, e) => {
      if (e.opId === s.mintOp) return onMinted(tx, s, e);
      if (e.opId === tx.ctx.refreshOp) spareAnswered(tx, e, false);
      return s;
    },
    'timer:stop-timeout': (tx, s) => {
      setObs(tx, { stopOp: null });
      return attemptFailed(tx, s, 'stop-timeout');
    },
  },
};
