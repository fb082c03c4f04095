/**
 * `confirming`: OBS said STARTED; polling DescribeChannelParticipants every `confirmPollMs` until our UserId is
 * in the channel (then live). Owns `poll` and `confirm-timeout`.
 */
import { cfg, log, type StateNode } from '../context.js';
import { readSignal } from '../effects/obs-output.js';
import { pollFailed, pollNow, publisherPresent, recordAbsent, schedulePoll } from '../effects/presence.js';
import { enterLive, obsStopSignal } from '../enter.js';
import { attemptFailed } from '../enter-recovery.js';

export const confirming: StateNode<'confirming'> = {
  owns: ['poll', 'confirm-timeout'],
  on: {
    'obs-stream-state': (tx, s, e) => {
      const sig = readSignal(tx, e);
      const stop = obsStopSignal(tx, sig);
      if (stop) return stop;
      if (sig === 'failure-stopped') return attemptFailed(tx, s, 'confirm-obs-stopped');
      if (sig === 'reconnecting') return attemptFailed(tx, s, 'confirm-obs-reconnecting');
      return s;
    },
    'participants-result': (tx, s, e) => {
      if (e.opId !== s.pollOp) return s; // a poll from before a restart: it says nothing about this stream
      const polled = { ...s, pollOp: null };
      if (!e.ok) {
        pollFailed(tx, e, 'fast');
        return polled;
      }
      if (publisherPresent(tx, e)) {
        const ms = tx.now - s.attempt.startedAt;
        return enterLive(
          tx,
          'confirmed',
          `publisher present in the channel: live (${ms} ms after ${s.attempt.trigger}, try ${s.attempt.n})`,
        );
      }
      // not yet in the channel: no count toward a recovery, the confirm timeout decides
      const absentPolls = recordAbsent(tx, false);
      log(tx, 'debug', 'absent', `publisher not in the channel (${absentPolls}/${cfg(tx).absentPollsToRecover})`, {
        requestIds: [e.requestId],
      });
      schedulePoll(tx, 'fast');
      return polled;
    },
    'timer:poll': (tx, s) => pollNow(tx, s),
    'timer:confirm-timeout': (tx, s) => attemptFailed(tx, s, 'confirm-timeout'),
  },
};
