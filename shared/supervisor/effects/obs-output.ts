/**
 * What a StreamStateChanged means, decided once (obs.md): a STOPPING/STOPPED after our StopStream is ours; a
 * STOPPING we did not ask for is someone pressing Stop (OBS's button or another client), so the STOPPED after it
 * is the user's; a STOPPED with no STOPPING before it, not asked for, is the output failing. After ExitStarted
 * neither is the user's: OBS is quitting and a restart resumes supervision.
 */
import { ObsRequestStatus } from '../../obs-protocol.js';
import { cfg, obsCall, setObs, timer, type Tx } from '../context.js';
import type { Event, ObsOutputState, OpError, OutputKnown } from '../types.js';

export type Signal =
  | 'starting'
  | 'started'
  | 'reconnecting'
  | 'reconnected'
  | 'our-stopping'
  /** a STOPPING after OBS already said STOPPED (nothing left to stop): the late twin of that stop, ignored */
  | 'stale-stopping'
  | 'user-stopping'
  | 'exit-stopping'
  | 'our-stopped'
  | 'user-stopped'
  | 'exit-stopped'
  | 'failure-stopped';

const SHORT: Record<ObsOutputState, OutputKnown> = {
  OBS_WEBSOCKET_OUTPUT_STARTING: 'starting',
  OBS_WEBSOCKET_OUTPUT_STARTED: 'started',
  OBS_WEBSOCKET_OUTPUT_STOPPING: 'stopping',
  OBS_WEBSOCKET_OUTPUT_STOPPED: 'stopped',
  OBS_WEBSOCKET_OUTPUT_RECONNECTING: 'reconnecting',
  OBS_WEBSOCKET_OUTPUT_RECONNECTED: 'reconnected',
};

/** Classifies the event and records OBS's output state in the context. */
export function readSignal(tx: Tx, e: Extract<Event, { type: 'obs-stream-state' }>): Signal {
  const obs = tx.ctx.obs;
  const short = SHORT[e.outputState] ?? 'unknown';
  if (short === 'stopping') {
    // Seen with OBS 29 when StopStream lands during its own reconnect: RECONNECTING, STOPPED, STOPPING (soak, about
    // 1 fault in 40). Events arrive in order, so while the last one was STOPPED no output runs that a Stop press
    // could stop: this STOPPING belongs to the stop already done. Taking it for the user's would end supervision.
    if (obs.output === 'stopped') return 'stale-stopping';
    const userStopping = obs.stopOp === null && !obs.exiting;
    setObs(tx, { output: 'stopping', userStopping: obs.userStopping || userStopping });
    return obs.stopOp !== null ? 'our-stopping' : obs.exiting ? 'exit-stopping' : 'user-stopping';
  }
  if (short === 'stopped') {
    // quitting wins over a STOPPING seen before ExitStarted: an OBS restart must resume supervision
    const signal: Signal =
      obs.stopOp !== null
        ? 'our-stopped'
        : obs.exiting
          ? 'exit-stopped'
          : obs.userStopping
            ? 'user-stopped'
            : 'failure-stopped';
    setObs(tx, { output: 'stopped', stopOp: null, userStopping: false });
    return signal;
  }
  setObs(tx, { output: short });
  return short as Signal;
}

/** OBS says it is streaming (not connecting, not reconnecting). */
export function obsStreaming(tx: Tx): boolean {
  const o = tx.ctx.obs.output;
  return o === 'started' || o === 'reconnected';
}

/** Sends StopStream and arms the stop deadline; a STOPPING/STOPPED until then is ours. */
export function sendStop(tx: Tx): void {
  const opId = obsCall(tx, 'StopStream');
  setObs(tx, { stopOp: opId });
  timer(tx, 'stop-timeout', cfg(tx).stopTimeoutMs);
}

/**
 * Brings OBS's output towards STOPPED, the only state in which SetStreamServiceSettings and StartStream are safe.
 * 'ready': stopped. 'waiting': our StopStream is in flight, or OBS is still connecting: while STARTING a StopStream
 * answers 501 (the output is not active yet) and a second StartStream can crash OBS (obs.md), so wait for its
 * STARTED or STOPPED instead.
 */
export function ensureStopped(tx: Tx): 'ready' | 'waiting' {
  const obs = tx.ctx.obs;
  if (obs.output === 'stopped') return 'ready';
  if (obs.stopOp !== null || obs.output === 'starting') return 'waiting';
  sendStop(tx);
  return 'waiting';
}

/**
 * An OBS answer, seen from our StopStream: 'not-ours' (another request), 'pending' (accepted: the STOPPED event
 * is the outcome), 'already-stopped' (501 OutputNotRunning: "already so", OBS's output is recorded as stopped),
 * or the error it failed with. Any answer clears the stop in flight.
 */
export function stopAnswer(
  tx: Tx,
  e: Extract<Event, { type: 'obs-result' }>,
): 'not-ours' | 'pending' | 'already-stopped' | { failed: OpError } {
  if (e.opId !== tx.ctx.obs.stopOp) return 'not-ours';
  if (e.ok) return 'pending';
  setObs(tx, { stopOp: null });
  if (e.error.status !== ObsRequestStatus.OutputNotRunning) return { failed: e.error };
  setObs(tx, { output: 'stopped', userStopping: false });
  return 'already-stopped';
}
