/**
 * The supervisor as one pure function: `step(state, event, now) -> { state, effects }` (XState's transition
 * shape). No clock, no randomness and no I/O are read here: time is `now`, jitter comes from the PRNG seed kept
 * in the state, and everything to do is returned as data for the runner. Each state owns its timers; leaving a
 * state cancels the ones the next state does not own, so no stale timeout fires into a later attempt.
 */
import * as z from 'zod/mini';
import { ChannelSettings } from '../api-routes.js';
import { ObsRequestStatus } from '../obs-protocol.js';
import { formatIssues } from '../schemas.js';
import { beginTx, cancelTimer, errorInfo, log, patchCtx, setLastError, setObs, type Tx } from './context.js';
import { onGraceTimer, onLiveSignal } from './detect.js';
import { isSupervising, obsStopPressed, persistIntent, stoppedByUser, userStop } from './lifecycle.js';
import { onConnected, onDisconnected, onLeaseResult, onLeaseTimer, onReconnectResult, onReconnectTimer, onStatus, proceed, reconnectNow, toConnecting } from './link.js';
import { readSignal, sendStop, type Signal } from './obs-output.js';
import { onConfirmingSignal, onMinted, onPipelineSignal, onSetResult, onStartingSignal, onStartResult } from './pipeline.js';
import { onParticipants, onPollTimer } from './presence.js';
import { onRefreshResult, startRefresh } from './refresh.js';
import { attemptFailed, onRecoveringSignal, retryAttempt } from './retry.js';
import type { Event, OpError, State, StateKind, StepResult, TimerId } from './types.js';

/** Timers each state owns (context-wide ones, 'obs-reconnect' and 'lease', belong to none). */
const OWNED: Record<StateKind, readonly TimerId[]> = {
  idle: [],
  connecting: ['retry'],
  minting: ['stop-timeout'],
  configuring: ['stop-timeout'],
  starting: ['start-timeout'],
  confirming: ['poll', 'confirm-timeout'],
  live: ['poll', 'refresh-url', 'grace'],
  recovering: ['retry'],
  stopping: ['stop-timeout'],
  'stopped-by-user': [],
  failed: [],
};

export function step(state: State, event: Event, now: number): StepResult {
  const tx = beginTx(state, now);
  const next = route(tx, state, event);
  if (next.kind !== state.kind) {
    for (const id of OWNED[state.kind]) if (!OWNED[next.kind].includes(id)) cancelTimer(tx, id);
  }
  return { state: { ...next, ctx: tx.ctx }, effects: tx.effects };
}

function route(tx: Tx, s: State, e: Event): State {
  switch (e.type) {
    case 'user-go-live':
      return begin(tx, s, e.channel, 'go-live');
    case 'resume':
      return begin(tx, s, e.channel, 'resume');
    case 'user-stop':
      return userStop(tx, s);
    case 'user-retry-now':
      return retryNow(tx, s);
    case 'obs-stream-state':
      return onSignal(tx, s, readSignal(tx, e));
    case 'obs-exit-started':
      setObs(tx, { exiting: true });
      log(tx, 'info', 'obs-exiting', 'OBS is quitting: its STOPPING/STOPPED are not a user stop; supervision resumes when it is back');
      return s;
    case 'obs-connected':
      return onConnected(tx, s);
    case 'obs-disconnected':
      return onDisconnected(tx, s, e);
    case 'obs-reconnect-result':
      return onReconnectResult(tx, s, e);
    case 'obs-result':
      return onObsResult(tx, s, e);
    case 'mint-result':
      if (s.kind === 'minting' && e.opId === s.mintOp) return onMinted(tx, s, e);
      return e.opId === tx.ctx.refreshOp ? onRefreshResult(tx, s, e) : s;
    case 'participants-result':
      return s.kind === 'live' || s.kind === 'confirming' ? onParticipants(tx, s, e) : s;
    case 'lease-result':
      return onLeaseResult(tx, s, e);
    case 'timer':
      return onTimer(tx, s, e.id);
  }
}

/** Go live (the dock, `run`) or resume (the helper's intent said live) from a state that is not supervising. */
function begin(tx: Tx, s: State, channel: unknown, how: 'go-live' | 'resume'): State {
  if (isSupervising(s)) {
    log(tx, 'info', `${how}-ignored`, `${how} while ${s.kind}: already supervising (Go live is locked until the outcome)`);
    return s;
  }
  const parsed = z.safeParse(ChannelSettings, channel);
  if (!parsed.success) {
    const why = { code: 'InvalidChannel', message: formatIssues(parsed.error) };
    setLastError(tx, why);
    log(tx, 'error', 'invalid-channel', `${how} refused: ${why.message}`, { error: why });
    return s;
  }
  const next = parsed.data;
  const same = tx.ctx.channel !== null && JSON.stringify(tx.ctx.channel) === JSON.stringify(next);
  patchCtx(tx, { channel: next, lastError: null, recentRecoveries: [], offAirSince: null, ...(same ? {} : { spare: null, url: null }) });
  if (how === 'resume') {
    log(tx, 'info', 'resume', `resuming supervision of ${next.appId}/${next.channelId} as ${next.userId}: a healthy stream is kept`);
    return toConnecting(tx, 'adopt', null, 'resume-not-streaming');
  }
  persistIntent(tx, true, next);
  log(tx, 'info', 'go-live', `Go live: ${next.appId}/${next.channelId} as ${next.userId}`);
  return toConnecting(tx, 'go-live', { n: 1, trigger: 'go-live', startedAt: tx.now }, 'resume-not-streaming');
}

function retryNow(tx: Tx, s: State): State {
  if (s.kind === 'recovering') {
    log(tx, 'info', 'retry-now', 'Retry now pressed');
    return retryAttempt(tx, s);
  }
  if (s.kind === 'connecting') {
    if (s.waitingFor === 'obs' && tx.ctx.obs.reconnectOp === null) reconnectNow(tx);
    return s.waitingFor === 'obs' ? s : proceed(tx, s);
  }
  if (s.kind === 'failed' && tx.ctx.channel) return begin(tx, s, tx.ctx.channel, 'go-live');
  return s;
}

function onSignal(tx: Tx, s: State, sig: Signal): State {
  if (isSupervising(s)) {
    if (sig === 'user-stopping' && s.kind !== 'stopping') return obsStopPressed(tx);
    if (sig === 'user-stopped') {
      if (s.kind !== 'stopping' || s.via === 'obs') persistIntent(tx, false);
      return stoppedByUser(tx, 'obs-stop-button', 'stopped from OBS (Stop Streaming): supervision ended');
    }
  }
  switch (s.kind) {
    case 'minting':
    case 'configuring':
      return onPipelineSignal(tx, s, sig);
    case 'starting':
      return onStartingSignal(tx, s, sig);
    case 'confirming':
      return onConfirmingSignal(tx, s, sig);
    case 'live':
      return onLiveSignal(tx, s, sig);
    case 'recovering':
      return onRecoveringSignal(tx, s, sig);
    case 'stopping':
      return onStoppingSignal(tx, s, sig);
    default:
      return s;
  }
}

function onStoppingSignal(tx: Tx, s: Extract<State, { kind: 'stopping' }>, sig: Signal): State {
  if (sig === 'our-stopped' || sig === 'failure-stopped') {
    if (s.via === 'obs') persistIntent(tx, false);
    return stoppedByUser(tx, s.reason, 'stopped by the user');
  }
  if (sig === 'started' && s.via === 'dock' && tx.ctx.obs.stopOp === null) sendStop(tx); // it finished connecting: stop it now
  return s; // 'exit-stopped': OBS quits; its disconnect decides
}

function onObsResult(tx: Tx, s: State, e: Extract<Event, { type: 'obs-result' }>): State {
  if (e.opId === tx.ctx.obs.stopOp) {
    if (e.ok) return s; // the outcome is the STOPPED event
    setObs(tx, { stopOp: null });
    if (e.error.status === ObsRequestStatus.OutputNotRunning) {
      // "already so"
      setObs(tx, { output: 'stopped', userStopping: false });
      return onSignal(tx, s, 'our-stopped');
    }
    if (s.kind === 'minting' || s.kind === 'configuring') return attemptFailed(tx, s, 'stop-failed', e.error);
    if (s.kind === 'stopping') return stoppedByUser(tx, s.reason, `StopStream failed (${e.error.code}: ${e.error.message}); supervision ended anyway`);
    return s;
  }
  if (s.kind === 'stopping' && e.opId === s.startOp && !e.ok) return onStartAnswerWhileStopping(tx, s, e.error);
  if (s.kind === 'connecting' && e.opId === s.opId) return onStatus(tx, s, e);
  if (s.kind === 'configuring' && e.opId === s.setOp) return onSetResult(tx, s, e);
  if (s.kind === 'starting' && e.opId === s.startOp) return onStartResult(tx, s, e);
  return s; // from a superseded attempt
}

/** Stop was pressed while our StartStream was out, and OBS answered it with an error. */
function onStartAnswerWhileStopping(tx: Tx, s: Extract<State, { kind: 'stopping' }>, error: OpError): State {
  if (error.status === undefined) return s; // deadline or closed socket: the start may be under way; its event decides
  if (error.status !== ObsRequestStatus.OutputRunning) return stoppedByUser(tx, s.reason, 'stopped by the user (OBS had refused the start)');
  setObs(tx, { output: 'started' }); // it streams already: stop it
  if (tx.ctx.obs.stopOp === null) sendStop(tx);
  return s;
}

function onTimer(tx: Tx, s: State, id: TimerId): State {
  switch (id) {
    case 'obs-reconnect':
      return onReconnectTimer(tx, s);
    case 'lease':
      return onLeaseTimer(tx, s);
    case 'poll':
      return s.kind === 'live' || s.kind === 'confirming' ? onPollTimer(tx, s) : s;
    case 'confirm-timeout':
      return s.kind === 'confirming' ? attemptFailed(tx, s, 'confirm-timeout') : s;
    case 'start-timeout':
      return s.kind === 'starting' ? attemptFailed(tx, s, 'start-timeout') : s;
    case 'stop-timeout':
      return onStopTimeout(tx, s);
    case 'retry':
      if (s.kind === 'recovering') return retryAttempt(tx, s);
      return s.kind === 'connecting' ? proceed(tx, s) : s;
    case 'refresh-url':
      if (s.kind === 'live') startRefresh(tx);
      return s;
    case 'grace':
      return s.kind === 'live' ? onGraceTimer(tx, s) : s;
  }
}

function onStopTimeout(tx: Tx, s: State): State {
  if (s.kind === 'minting' || s.kind === 'configuring') {
    setObs(tx, { stopOp: null });
    return attemptFailed(tx, s, 'stop-timeout');
  }
  if (s.kind !== 'stopping') return s;
  setObs(tx, { stopOp: null });
  if (s.via === 'obs') persistIntent(tx, false);
  const why = { code: 'StopTimeout', message: 'OBS did not confirm the stop in time' };
  log(tx, 'warn', 'stop-timeout', `${why.message}: supervision ended anyway`, { error: errorInfo(why) });
  return stoppedByUser(tx, s.reason, 'stopped by the user (unconfirmed)');
}

