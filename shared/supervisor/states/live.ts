/**
 * `live`: the publisher is in the channel. Polls presence every `pollIntervalMs` (jittered), keeps a spare URL
 * minted ahead (so a recovery can skip the Create call), and watches for the detections that start a recovery:
 * OBS's output failing, OBS's own reconnect (taken over at once or after `reconnectGraceMs`), the publisher
 * absent on `absentPollsToRecover` polls in a row while OBS streams. Owns `poll`, `refresh-url` and `grace`.
 */
import { cancelTimer, cfg, log, type StateNode, type Tx } from '../context.js';
import { obsStreaming, readSignal, type Signal } from '../effects/obs-output.js';
import { pollFailed, pollNow, publisherPresent, recordAbsent, schedulePoll } from '../effects/presence.js';
import { spareAnswered, startRefresh } from '../effects/refresh.js';
import { obsStopSignal } from '../enter.js';
import { detect, liveReconnecting } from '../enter-recovery.js';
import type { State, StateOf } from '../types.js';

type Live = StateOf<'live'>;

/** OBS's stream events while live: failure, OBS's own reconnect (take over, or let it try for the grace period). */
function onLiveSignal(tx: Tx, s: Live, sig: Signal): State {
  switch (sig) {
    case 'failure-stopped':
      return detect(
        tx,
        'obs-stopped',
        'OBS stopped the stream with no STOPPING before it, not asked for (the output failed)',
      );
    case 'reconnecting':
      return liveReconnecting(tx, s);
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

function onAbsent(tx: Tx, s: Live, ids: { requestIds: string[] }): State {
  const counts = obsStreaming(tx) && s.obsReconnectingSince === null;
  const absentPolls = recordAbsent(tx, counts);
  const n = cfg(tx).absentPollsToRecover;
  if (counts && absentPolls >= n) {
    return detect(
      tx,
      'publisher-absent',
      `publisher absent from the channel on ${absentPolls} consecutive polls while OBS streams`,
      ids.requestIds,
    );
  }
  log(tx, 'info', 'absent', `publisher not in the channel (${absentPolls}/${n})`, ids);
  // an absence that counts is re-checked at the confirming pace, not a whole interval later: a silent removal is
  // then detected within one poll interval + confirmPollMs (bench: 7.6 s -> ~4 s median at the 5 s default)
  schedulePoll(tx, counts ? 'fast' : 'normal');
  return s;
}

export const live: StateNode<'live'> = {
  owns: ['poll', 'refresh-url', 'grace'],
  on: {
    'obs-stream-state': (tx, s, e) => {
      const sig = readSignal(tx, e);
      return obsStopSignal(tx, sig) ?? onLiveSignal(tx, s, sig);
    },
    'participants-result': (tx, s, e) => {
      if (e.opId !== s.pollOp) return s; // a poll from before a restart: it says nothing about this stream
      const polled: Live = { ...s, pollOp: null };
      if (!e.ok) {
        pollFailed(tx, e, 'normal');
        return polled;
      }
      const ids = { requestIds: [e.requestId] };
      if (!publisherPresent(tx, e)) return onAbsent(tx, polled, ids);
      log(tx, 'debug', 'present', 'publisher present', ids);
      schedulePoll(tx, 'normal');
      return polled;
    },
    'mint-result': (tx, s, e) => {
      if (e.opId === tx.ctx.refreshOp) spareAnswered(tx, e, true);
      return s;
    },
    'timer:poll': (tx, s) => pollNow(tx, s),
    'timer:refresh-url': (tx, s) => {
      startRefresh(tx);
      return s;
    },
    'timer:grace': (tx, s) => {
      if (s.obsReconnectingSince === null) return s;
      const grace = cfg(tx).reconnectGraceMs;
      return detect(tx, 'obs-reconnecting', `OBS still reconnecting after the ${grace} ms grace period; taking over`);
    },
  },
};
