/**
 * The parent of the eight states in charge of OBS's stream (connecting .. stopping; XState's compound state):
 * handlers they share unless they override them. Go live is locked; OBS's own Stop button ends supervision; a
 * lost OBS connection is reconciled once it is back; a fatal close or a lost lease needs the user.
 */
import { log, type Handlers, type SupervisingKind, type Tx } from '../context.js';
import { leaseAnswered, renewLease } from '../effects/lease.js';
import { linkDown, reconnectAnswered } from '../effects/obs-link.js';
import { readSignal } from '../effects/obs-output.js';
import { fail, obsStopSignal, toConnecting, userStop } from '../enter.js';
import type { State, StateOf } from '../types.js';

type Supervising = StateOf<SupervisingKind>;

function ignoreGoLive(how: 'go-live' | 'resume') {
  return (tx: Tx, s: Supervising): State => {
    log(
      tx,
      'info',
      `${how}-ignored`,
      `${how} while ${s.kind}: already supervising (Go live is locked until the outcome)`,
    );
    return s;
  };
}

export const supervising: Handlers<Supervising> = {
  'user-go-live': ignoreGoLive('go-live'),
  resume: ignoreGoLive('resume'),
  'user-stop': (tx) => userStop(tx, null),
  'obs-stream-state': (tx, s, e) => obsStopSignal(tx, readSignal(tx, e)) ?? s,
  'obs-disconnected': (tx, s, e) => {
    const down = linkDown(tx, e);
    // keep the intent: once the user fixes the cause, a reload or Go live resumes
    if (typeof down === 'object') return fail(tx, down.fatal, { persist: false });
    if (down === 'quiet') return s;
    // an attempt interrupted by the connection loss continues after the reconcile (live has none)
    const attempt = 'attempt' in s ? s.attempt : null;
    return toConnecting(tx, 'adopt', attempt, 'obs-reconnected-not-streaming');
  },
  'obs-reconnect-result': (tx, s, e) => {
    const fatal = reconnectAnswered(tx, e);
    return fatal ? fail(tx, fatal, { persist: false }) : s;
  },
  'lease-result': (tx, s, e) => {
    const answer = leaseAnswered(tx, e);
    return typeof answer === 'object' ? fail(tx, answer.refused, { persist: false }) : s;
  },
  'timer:lease': (tx, s) => {
    renewLease(tx);
    return s;
  },
};
