/**
 * The machine's root `on` (XState's top-level handlers): what every event does in a state that neither handles
 * it itself nor inherits it from `supervising`. In practice the defaults of the states that wait for the user
 * (idle, stopped-by-user, failed): the context follows OBS, the lease and the spare URL; nothing is acted on.
 */
import { log, setObs, type Handlers } from '../context.js';
import { leaseAnswered } from '../effects/lease.js';
import { linkDown, linkUp, reconnectAnswered, reconnectTimer } from '../effects/obs-link.js';
import { readSignal, stopAnswer } from '../effects/obs-output.js';
import { spareAnswered } from '../effects/refresh.js';
import { goLive } from '../enter.js';
import type { State } from '../types.js';

export const root: Handlers<State> = {
  'user-go-live': (tx, s, e) => goLive(tx, s, e.channel, 'go-live'),
  resume: (tx, s, e) => goLive(tx, s, e.channel, 'resume'),
  'user-stop': (tx, s) => {
    log(tx, 'debug', 'user-stop-ignored', `Stop while ${s.kind}: nothing to stop`);
    return s;
  },
  'obs-stream-state': (tx, s, e) => {
    readSignal(tx, e);
    return s;
  },
  'obs-exit-started': (tx, s) => {
    setObs(tx, { exiting: true });
    log(
      tx,
      'info',
      'obs-exiting',
      'OBS is quitting: its STOPPING/STOPPED are not a user stop; supervision resumes when it is back',
    );
    return s;
  },
  'obs-connected': (tx, s) => {
    linkUp(tx);
    return s;
  },
  'obs-disconnected': (tx, s, e) => {
    const down = linkDown(tx, e);
    if (typeof down === 'object') log(tx, 'error', down.fatal.code, down.fatal.message);
    return s;
  },
  'obs-reconnect-result': (tx, s, e) => {
    const fatal = reconnectAnswered(tx, e);
    if (fatal) log(tx, 'error', fatal.code, fatal.message);
    return s;
  },
  'timer:obs-reconnect': (tx, s) => {
    reconnectTimer(tx);
    return s;
  },
  'obs-result': (tx, s, e) => {
    stopAnswer(tx, e); // a late answer to our StopStream: recorded, nothing to act on
    return s;
  },
  'mint-result': (tx, s, e) => {
    if (e.opId === tx.ctx.refreshOp) spareAnswered(tx, e, false);
    return s;
  },
  'lease-result': (tx, s, e) => {
    leaseAnswered(tx, e); // not supervising: a refusal ends nothing
    return s;
  },
};
