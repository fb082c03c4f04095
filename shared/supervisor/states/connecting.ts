/**
 * `connecting`: before acting the supervisor needs OBS connected, the lease (when one is used: only one
 * supervisor acts on one OBS), and OBS's stream status. After a lost connection it reconciles: should be live
 * and OBS streams -> live; should be live and OBS does not -> recover. Owns `retry`: the backoff before asking
 * again for a lease or a status that failed (it re-enters `proceed`).
 */
import { fullJitterDelay } from '../../retry-policy.js';
import { cfg, draw, log, setObs, timer, type StateNode, type Tx } from '../context.js';
import { leaseAnswered } from '../effects/lease.js';
import { linkDown, linkUp, reconnectNow } from '../effects/obs-link.js';
import { stopAnswer } from '../effects/obs-output.js';
import { adoptLive, fail, proceed, startAttempt } from '../enter.js';
import { detect, liveReconnecting } from '../enter-recovery.js';
import type { Event, State, StateOf } from '../types.js';

type Connecting = StateOf<'connecting'>;

/** GetStreamStatus answered: reconcile with the intent. */
function onStatus(tx: Tx, s: Connecting, e: Extract<Event, { type: 'obs-result' }>): State {
  if (!e.ok) {
    log(
      tx,
      'warn',
      'status-failed',
      `GetStreamStatus failed (${e.error.code}: ${e.error.message}): asking again after a backoff`,
    );
    return retryLater(tx, s);
  }
  const data = (e.data ?? {}) as { outputActive?: unknown; outputReconnecting?: unknown };
  const active = data.outputActive === true;
  const reconnecting = active && data.outputReconnecting === true;
  setObs(tx, { output: active ? (reconnecting ? 'reconnecting' : 'started') : 'stopped' });
  if (s.entry === 'go-live') return startAttempt(tx, s.attempt ?? { n: 1, trigger: 'go-live', startedAt: tx.now });
  if (active) {
    const live = adoptLive(tx, 'OBS is streaming: supervising it without restarting (presence check now)');
    return reconnecting ? liveReconnecting(tx, live) : live;
  }
  if (s.attempt) return startAttempt(tx, { ...s.attempt, n: s.attempt.n + 1 });
  return detect(tx, s.downReason, 'OBS is not streaming although it should be');
}

/** `connecting` could not get the lease or the status: ask again after a backoff ('retry' re-enters proceed). */
function retryLater(tx: Tx, s: Connecting): State {
  const failures = s.failures + 1;
  const retry = cfg(tx).retry;
  const delay = fullJitterDelay(failures, draw(tx), retry) ?? retry.capMs;
  timer(tx, 'retry', delay);
  return { ...s, opId: null, failures };
}

export const connecting: StateNode<'connecting'> = {
  owns: ['retry'],
  on: {
    'user-retry-now': (tx, s) => {
      if (s.waitingFor === 'obs' && tx.ctx.obs.reconnectOp === null) reconnectNow(tx);
      return s.waitingFor === 'obs' ? s : proceed(tx, s);
    },
    'obs-connected': (tx, s) => (linkUp(tx) ? proceed(tx, s) : s),
    'obs-disconnected': (tx, s, e) => {
      const down = linkDown(tx, e);
      if (typeof down === 'object') return fail(tx, down.fatal, { persist: false });
      return down === 'lost' ? { ...s, waitingFor: 'obs', opId: null } : s;
    },
    'obs-result': (tx, s, e) => {
      if (stopAnswer(tx, e) !== 'not-ours') return s; // a StopStream from before the connection loss
      return e.opId === s.opId ? onStatus(tx, s, e) : s;
    },
    'lease-result': (tx, s, e) => {
      const answer = leaseAnswered(tx, e);
      if (typeof answer === 'object') return fail(tx, answer.refused, { persist: false });
      if (answer === 'granted') return proceed(tx, { ...s, opId: null });
      return answer === 'unanswered' ? retryLater(tx, s) : s;
    },
    'timer:retry': (tx, s) => proceed(tx, s),
  },
};
