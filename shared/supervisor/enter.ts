/**
 * Entering a state: every way into connecting, minting, configuring, starting, confirming, live, recovering,
 * stopping, stopped-by-user and failed, with what each entry does (its effects, its timers, its log line). The
 * state modules (states/) decide *when* to move; this module says what moving does, once. It imports only the
 * context and the effect helpers, so the states can share it without importing each other. Recovery (a
 * detection, a failed attempt, OBS reconnecting by itself) is in enter-recovery.ts.
 *
 * One attempt to (re)start the stream is the same for Go live and for a recovery: a fresh URL (the spare, a
 * spare mint already in flight, or one Create call), OBS brought to STOPPED (StopStream and its STOPPED, in
 * parallel with the mint), rtmp_custom set, StartStream, its STARTED or STOPPED awaited (StartStream's own
 * success says nothing, and a second start while one connects can crash OBS), then presence confirmed.
 */
import * as z from 'zod/mini';
import { ChannelSettings } from '../channel.js';
import { formatIssues } from '../cloud-schemas.js';
import {
  cancelTimer,
  cfg,
  emit,
  errorInfo,
  log,
  nextOp,
  obsCall,
  patchCtx,
  setLastError,
  timer,
  to,
  type Tx,
} from './context.js';
import { acquireLease, releaseLease } from './effects/lease.js';
import { reconnectNow } from './effects/obs-link.js';
import { ensureStopped, sendStop, type Signal } from './effects/obs-output.js';
import { pollNow, resetPresence, schedulePoll } from './effects/presence.js';
import { scheduleRefresh, takeSpare } from './effects/refresh.js';
import { closeOffAir, persistIntent } from './effects/supervision.js';
import type { Attempt, DetectionReason, ErrorInfo, IngestUrl, State, StateOf } from './types.js';

type Connecting = StateOf<'connecting'>;

// ---------------------------------------------------------------- the end of supervision

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
  log(tx, 'error', why.code, `supervision stopped, needs the user: ${why.message}`, {
    error: errorInfo(why),
    ...(why.requestId ? { requestIds: [why.requestId] } : {}),
  });
  return to(tx, { kind: 'failed', why: errorInfo(why) }, why.code);
}

/**
 * The dock's Stop (or the CLI's) in a supervising state: supervision ends; OBS is stopped if it streams. Never
 * fights a stop. `startOp`: our StartStream still out (state `starting`).
 */
export function userStop(tx: Tx, startOp: number | null): State {
  persistIntent(tx, false);
  const obs = tx.ctx.obs;
  const mayAct = !cfg(tx).useLease || tx.ctx.lease.held; // without the lease OBS is another supervisor's
  // our StartStream is out: OBS is connecting even while its STARTING has not reached us (output still 'stopped')
  if (!obs.connected || (obs.output === 'stopped' && startOp === null) || !mayAct)
    return stoppedByUser(tx, 'user-stop', 'stopped by the user');
  if (obs.stopOp === null && obs.output !== 'starting' && startOp === null) sendStop(tx);
  else timer(tx, 'stop-timeout', cfg(tx).stopTimeoutMs); // STARTED (then StopStream) or STOPPED decides
  log(tx, 'info', 'user-stop', 'Stop pressed: stopping OBS and ending supervision');
  return to(tx, { kind: 'stopping', via: 'dock', startOp }, 'user-stop');
}

/** Someone pressed Stop in OBS (a STOPPING we did not ask for): wait for its STOPPED, then end supervision. */
export function obsStopPressed(tx: Tx): State {
  timer(tx, 'stop-timeout', cfg(tx).stopTimeoutMs);
  log(
    tx,
    'info',
    'obs-stop-pressed',
    'OBS is stopping the stream without us asking (its Stop Streaming button): supervision will end',
  );
  return to(tx, { kind: 'stopping', via: 'obs', startOp: null }, 'obs-stop-pressed');
}

/** OBS's own Stop button, in any supervising state but `stopping`: the stop it starts or ends; null for other signals. */
export function obsStopSignal(tx: Tx, sig: Signal): State | null {
  if (sig === 'user-stopping') return obsStopPressed(tx);
  if (sig !== 'user-stopped') return null;
  persistIntent(tx, false);
  return stoppedByUser(tx, 'obs-stop-button', 'stopped from OBS (Stop Streaming): supervision ended');
}

// ---------------------------------------------------------------- the start of supervision

/** Go live (the dock, `run`) or resume (the helper's intent said live) from a state that is not supervising. */
export function goLive(tx: Tx, s: State, channel: unknown, how: 'go-live' | 'resume'): State {
  const parsed = z.safeParse(ChannelSettings, channel);
  if (!parsed.success) {
    const why = { code: 'InvalidChannel', message: formatIssues(parsed.error) };
    setLastError(tx, why);
    log(tx, 'error', 'invalid-channel', `${how} refused: ${why.message}`, { error: why });
    return s;
  }
  const next = parsed.data;
  const same = tx.ctx.channel !== null && JSON.stringify(tx.ctx.channel) === JSON.stringify(next);
  patchCtx(tx, {
    channel: next,
    lastError: null,
    recentRecoveries: [],
    offAirSince: null,
    ...(same ? {} : { spare: null, url: null }),
  });
  if (how === 'resume') {
    log(
      tx,
      'info',
      'resume',
      `resuming supervision of ${next.appId}/${next.channelId} as ${next.userId}: a healthy stream is kept`,
    );
    return toConnecting(tx, 'adopt', null, 'resume-not-streaming');
  }
  persistIntent(tx, true, next);
  log(tx, 'info', 'go-live', `Go live: ${next.appId}/${next.channelId} as ${next.userId}`);
  return toConnecting(tx, 'go-live', { n: 1, trigger: 'go-live', startedAt: tx.now }, 'resume-not-streaming');
}

export function toConnecting(
  tx: Tx,
  entry: Connecting['entry'],
  attempt: Attempt | null,
  downReason: DetectionReason,
): State {
  cancelTimer(tx, 'retry');
  const s = to(
    tx,
    { kind: 'connecting', waitingFor: 'obs', entry, downReason, attempt, opId: null, failures: 0 },
    entry === 'go-live' ? 'go-live' : 'reconcile',
  ) as Connecting;
  return proceed(tx, s);
}

/** Next step of `connecting`: OBS, then the lease, then GetStreamStatus. */
export function proceed(tx: Tx, s: Connecting): State {
  const { obs, lease } = tx.ctx;
  if (s.opId !== null && s.waitingFor !== 'obs') return s; // a lease or status request is already out
  if (!obs.connected) {
    if (obs.reconnectOp === null && !obs.reconnectScheduled) reconnectNow(tx);
    return { ...s, waitingFor: 'obs', opId: null };
  }
  if (cfg(tx).useLease && !lease.held) return { ...s, waitingFor: 'lease', opId: acquireLease(tx) };
  return { ...s, waitingFor: 'status', opId: obsCall(tx, 'GetStreamStatus') };
}

// ---------------------------------------------------------------- one attempt

export function startAttempt(tx: Tx, attempt: Attempt): State {
  if (!tx.ctx.obs.connected) return toConnecting(tx, 'adopt', attempt, 'obs-reconnected-not-streaming');
  const stopBefore = tx.ctx.obs.stopOp;
  // Stop (or wait for a connecting start to end) in parallel with the mint; arm the deadline when already waiting.
  if (ensureStopped(tx) === 'waiting' && tx.ctx.obs.stopOp === stopBefore)
    timer(tx, 'stop-timeout', cfg(tx).stopTimeoutMs);
  const what = attempt.trigger === 'go-live' ? 'Go live' : `recovery (${attempt.trigger})`;
  const spare = takeSpare(tx);
  if (spare) {
    log(tx, 'info', 'attempt', `${what}, try ${attempt.n}: using the spare URL, no Create call`, {
      attempt: attempt.n,
      requestIds: [spare.requestId],
    });
    return toConfiguring(tx, attempt, spare);
  }
  let mintOp = tx.ctx.refreshOp;
  if (mintOp !== null) {
    patchCtx(tx, { refreshOp: null }); // its answer now belongs to this attempt: still one Create call
  } else {
    mintOp = nextOp(tx);
    emit(tx, { kind: 'mint', opId: mintOp, channel: tx.ctx.channel! });
  }
  log(tx, 'info', 'attempt', `${what}, try ${attempt.n}: minting a URL`, { attempt: attempt.n });
  return to(tx, { kind: 'minting', attempt, mintOp }, attempt.trigger);
}

export function toConfiguring(tx: Tx, attempt: Attempt, url: IngestUrl): State {
  return advanceConfiguring(
    tx,
    to(
      tx,
      { kind: 'configuring', attempt, url, setOp: null, busyRetried: false },
      attempt.trigger,
    ) as StateOf<'configuring'>,
  );
}

/** Sets rtmp_custom once OBS is STOPPED (it answers 500 while streaming or reconnecting). */
export function advanceConfiguring(tx: Tx, s: StateOf<'configuring'>): State {
  if (s.setOp !== null || ensureStopped(tx) === 'waiting') return s;
  // use_auth false: the token travels in the key; a stale RTMP login from the profile must not be sent (same type merges fields)
  const data = {
    streamServiceType: 'rtmp_custom',
    streamServiceSettings: { server: s.url.server, key: s.url.streamKey, use_auth: false },
  };
  return { ...s, setOp: obsCall(tx, 'SetStreamServiceSettings', data) };
}

export function toStarting(tx: Tx, s: StateOf<'configuring'>): State {
  patchCtx(tx, { url: s.url });
  const startOp = obsCall(tx, 'StartStream');
  timer(tx, 'start-timeout', cfg(tx).startTimeoutMs);
  return to(tx, { kind: 'starting', attempt: s.attempt, startOp }, s.attempt.trigger);
}

export function toConfirming(tx: Tx, attempt: Attempt): State {
  log(
    tx,
    'info',
    'started',
    `OBS STARTED ${tx.now - attempt.startedAt} ms after ${attempt.trigger}: confirming the publisher is in the channel`,
    { attempt: attempt.n },
  );
  timer(tx, 'confirm-timeout', cfg(tx).confirmTimeoutMs);
  resetPresence(tx);
  return pollNow(tx, to(tx, { kind: 'confirming', attempt, pollOp: null }, attempt.trigger) as StateOf<'confirming'>);
}

/** The publisher is in the channel: live. Polls at the normal pace and keeps a spare URL ready. */
export function enterLive(tx: Tx, reason: string, message: string, pace: 'normal' | 'now' = 'normal'): StateOf<'live'> {
  closeOffAir(tx, 'live again');
  setLastError(tx, null);
  patchCtx(tx, { refreshFailures: 0 });
  log(tx, 'info', reason, message);
  schedulePoll(tx, pace);
  scheduleRefresh(tx);
  return to(tx, { kind: 'live', pollOp: null, obsReconnectingSince: null }, reason) as StateOf<'live'>;
}

/** OBS streams with our URL (adopted after a reconnect, or a late STARTED): live once presence is seen. */
export function adoptLive(tx: Tx, message: string): StateOf<'live'> {
  resetPresence(tx);
  return enterLive(tx, 'adopted', message, 'now');
}
