/**
 * Where supervision begins and ends: Go live, Stop (the dock's or OBS's own button), failure, and the live
 * state itself. The intent ("should be live" and the channel) is persisted through the helper on every change,
 * so a dock reload, a helper restart or an OBS restart resumes it.
 */
import { cancelTimer, cfg, emit, errorInfo, log, nextOp, patchCtx, setLastError, timer, to, type Tx } from './context.js';
import { sendStop } from './obs-output.js';
import { schedulePoll } from './presence.js';
import { scheduleRefresh } from './refresh.js';
import type { ChannelSettings, ErrorInfo, State, StateKind } from './types.js';

const SUPERVISING: ReadonlySet<StateKind> = new Set<StateKind>([
  'connecting',
  'minting',
  'configuring',
  'starting',
  'confirming',
  'live',
  'recovering',
  'stopping',
]);

/** In charge of OBS's stream (stopping included: still acting on it). */
export function isSupervising(s: State): boolean {
  return SUPERVISING.has(s.kind);
}

export function persistIntent(tx: Tx, shouldBeLive: boolean, channel: ChannelSettings | null = tx.ctx.channel): void {
  const intent = { shouldBeLive, updatedAt: new Date(tx.now).toISOString(), ...(channel ? { channel } : {}) };
  emit(tx, { kind: 'persist-intent', intent });
}

/** Ends an off-air period (if one is open) and logs its length, which the action log adds up. */
export function closeOffAir(tx: Tx, why: string): void {
  const since = tx.ctx.offAirSince;
  if (since === null) return;
  patchCtx(tx, { offAirSince: null });
  log(tx, 'info', 'off-air-ended', `off air for ${tx.now - since} ms (${why})`, { offAirMs: tx.now - since });
}

function releaseLease(tx: Tx): void {
  if (!tx.ctx.lease.held && tx.ctx.lease.opId === null) return;
  patchCtx(tx, { lease: { held: false, opId: null } });
  cancelTimer(tx, 'lease');
  emit(tx, { kind: 'lease', action: 'release', opId: nextOp(tx) });
}

export function stoppedByUser(tx: Tx, reason: string, message: string): State {
  closeOffAir(tx, 'stopped by the user');
  releaseLease(tx);
  patchCtx(tx, { refreshOp: null });
  log(tx, 'info', reason, message);
  return to(tx, { kind: 'stopped-by-user' }, reason);
}

/**
 * Supervision stops and waits for the user, saying why. `persist: false` keeps the helper's intent untouched
 * (the lease went to another supervisor, which now acts on that intent).
 */
export function fail(tx: Tx, why: ErrorInfo, opts: { persist?: boolean } = {}): State {
  closeOffAir(tx, 'supervision failed');
  releaseLease(tx);
  patchCtx(tx, { refreshOp: null });
  setLastError(tx, why);
  if (opts.persist !== false) persistIntent(tx, false);
  log(tx, 'error', why.code, `supervision stopped, needs the user: ${why.message}`, { error: errorInfo(why), ...(why.requestId ? { requestIds: [why.requestId] } : {}) });
  return to(tx, { kind: 'failed', why: errorInfo(why) }, why.code);
}

/** The dock's Stop (or the CLI's): supervision ends; OBS is stopped if it streams. Never fights a stop. */
export function userStop(tx: Tx, s: State): State {
  if (!isSupervising(s) || s.kind === 'stopping') {
    log(tx, 'debug', 'user-stop-ignored', `Stop while ${s.kind}: nothing to stop`);
    return s;
  }
  persistIntent(tx, false);
  const obs = tx.ctx.obs;
  const mayAct = !cfg(tx).useLease || tx.ctx.lease.held; // without the lease OBS is another supervisor's
  // our StartStream is out: OBS is connecting even while its STARTING has not reached us (output still 'stopped')
  const startOp = s.kind === 'starting' ? s.startOp : null;
  if (!obs.connected || (obs.output === 'stopped' && startOp === null) || !mayAct) return stoppedByUser(tx, 'user-stop', 'stopped by the user');
  if (obs.stopOp === null && obs.output !== 'starting' && startOp === null) sendStop(tx);
  else timer(tx, 'stop-timeout', cfg(tx).stopTimeoutMs); // STARTED (then StopStream) or STOPPED decides
  log(tx, 'info', 'user-stop', 'Stop pressed: stopping OBS and ending supervision');
  return to(tx, { kind: 'stopping', via: 'dock', startOp }, 'user-stop');
}

/** Someone pressed Stop in OBS (a STOPPING we did not ask for): wait for its STOPPED, then end supervision. */
export function obsStopPressed(tx: Tx): State {
  timer(tx, 'stop-timeout', cfg(tx).stopTimeoutMs);
  log(tx, 'info', 'obs-stop-pressed', 'OBS is stopping the stream without us asking (its Stop Streaming button): supervision will end');
  return to(tx, { kind: 'stopping', via: 'obs', startOp: null }, 'obs-stop-pressed');
}

/** The publisher is in the channel: live. Polls at the normal pace and keeps a spare URL ready. */
export function enterLive(tx: Tx, reason: string, message: string, pace: 'normal' | 'now' = 'normal'): State {
  closeOffAir(tx, 'live again');
  setLastError(tx, null);
  patchCtx(tx, { refreshFailures: 0 });
  log(tx, 'info', reason, message);
  schedulePoll(tx, pace);
  scheduleRefresh(tx);
  return to(tx, { kind: 'live', pollOp: null, obsReconnectingSince: null }, reason);
}
