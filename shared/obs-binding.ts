/**
 * The one binding of the shared ObsClient to the supervisor's runner, for the dock and for `run` alike, plus the
 * real-timers adapter both hand the runner. Reconnecting stays the caller's (and the supervisor's) decision: the
 * caller passes `reconnect`, this module only forwards calls and events.
 *
 * API (import from shared/obs-binding.js):
 * - `obsPort(client, reconnect): ObsPort` — the runner's `obs` port: `call` goes to `client.call`, `reconnect` is the
 *   caller's (the dock: `() => obsLink.ensureConnected()`; run: `() => client.connect(url, password)`). A failed
 *   reconnect needs no rejection: it arrives as the client's `closed` event, which `bindObsEvents` forwards.
 * - `bindObsEvents(client, runner): () => void` — feeds `connected`, `closed`, `StreamStateChanged` and
 *   `ExitStarted` into `runner.dispatch` as `obs-connected`, `obs-disconnected` (code, reason, close class),
 *   `obs-stream-state` and `obs-exit-started`. A runner bound late learns the link as it is: when the client is already connected,
 *   `obs-connected` is dispatched at once; when it is idle after a close, that close (the dock loads its
 *   supervisor when it first needs it, see dock/src/model/lazy-supervisor.ts). Returns the unsubscribe.
 * - `realTimers: TimerApi` — `setTimer`/`clearTimer` over setTimeout/clearTimeout (tests inject their own).
 */
import type { ObsClient } from './obs-client.js';
import type { ObsPort, SupervisorRunner, TimerApi } from './supervisor/index.js';

export function obsPort(client: ObsClient, reconnect: () => Promise<unknown>): ObsPort {
  return {
    // the runner speaks plain request names; the client's typed overloads are for its direct callers
    call: (requestType, data) => client.call(requestType as 'GetStreamStatus', data as undefined),
    reconnect: () => reconnect().then(() => undefined),
  };
}

export function bindObsEvents(client: ObsClient, runner: Pick<SupervisorRunner, 'dispatch'>): () => void {
  const offs = [
    client.on('connected', () => runner.dispatch({ type: 'obs-connected' })),
    client.on('closed', (e) =>
      runner.dispatch({ type: 'obs-disconnected', code: e.code, reason: e.reason, closeClass: e.classification }),
    ),
    client.on('StreamStateChanged', (e) =>
      runner.dispatch({ type: 'obs-stream-state', outputState: e.outputState, outputActive: e.outputActive }),
    ),
    client.on('ExitStarted', () => runner.dispatch({ type: 'obs-exit-started' })),
  ];
  const last = client.lastClose;
  if (client.state === 'connected') runner.dispatch({ type: 'obs-connected' });
  else if (client.state === 'idle' && last)
    runner.dispatch({
      type: 'obs-disconnected',
      code: last.code,
      reason: last.reason,
      closeClass: last.classification,
    });
  return () => offs.forEach((off) => off());
}

export const realTimers: TimerApi = {
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
