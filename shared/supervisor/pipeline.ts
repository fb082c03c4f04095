/**
 * One attempt to (re)start the stream, the same for Go live and for a recovery: a fresh URL (the spare, a
 * spare mint already in flight, or one Create call), OBS brought to STOPPED (StopStream and its STOPPED, in
 * parallel with the mint), rtmp_custom set, StartStream, its STARTED or STOPPED awaited (StartStream's own
 * success says nothing, and a second start while one connects can crash OBS), then presence confirmed.
 */
import { ObsRequestStatus } from '../obs-protocol.js';
import { cfg, emit, log, nextOp, obsCall, patchCtx, setObs, timer, to, type Tx } from './context.js';
import { enterLive } from './lifecycle.js';
import { ensureStopped, type Signal } from './obs-output.js';
import { onPollTimer } from './presence.js';
import { stamp, takeSpare, usableUrl } from './refresh.js';
import { attemptFailed } from './retry.js';
import { toConnecting } from './link.js';
import type { Attempt, Event, State, StateOf } from './types.js';

type ObsResult = Extract<Event, { type: 'obs-result' }>;
type MintResult = Extract<Event, { type: 'mint-result' }>;

const { OutputRunning } = ObsRequestStatus;

export function startAttempt(tx: Tx, attempt: Attempt): State {
  if (!tx.ctx.obs.connected) return toConnecting(tx, 'adopt', attempt, 'obs-reconnected-not-streaming');
  const stopBefore = tx.ctx.obs.stopOp;
  // Stop (or wait for a connecting start to end) in parallel with the mint; arm the deadline when already waiting.
  if (ensureStopped(tx) === 'waiting' && tx.ctx.obs.stopOp === stopBefore) timer(tx, 'stop-timeout', cfg(tx).stopTimeoutMs);
  const what = attempt.trigger === 'go-live' ? 'Go live' : `recovery (${attempt.trigger})`;
  const spare = takeSpare(tx);
  if (spare) {
    log(tx, 'info', 'attempt', `${what}, try ${attempt.n}: using the spare URL, no Create call`, { attempt: attempt.n, requestIds: [spare.requestId] });
    return advanceConfiguring(tx, to(tx, { kind: 'configuring', attempt, url: spare, setOp: null, busyRetried: false }, attempt.trigger) as StateOf<'configuring'>);
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

export function onMinted(tx: Tx, s: StateOf<'minting'>, e: MintResult): State {
  if (!e.ok) return attemptFailed(tx, s, 'mint-failed', e.error);
  const url = stamp(tx, e.url);
  if (!usableUrl(tx, url)) {
    const error = { code: 'UrlAlreadyExpiring', message: `the minted URL expires at ${new Date(url.expiresAt).toISOString()}: check the clock and ExpireTime`, requestId: url.requestId };
    return attemptFailed(tx, s, 'mint-failed', error);
  }
  log(tx, 'info', 'minted', `URL minted, valid until ${new Date(url.expiresAt).toISOString()}`, { requestIds: [url.requestId] });
  return advanceConfiguring(tx, to(tx, { kind: 'configuring', attempt: s.attempt, url, setOp: null, busyRetried: false }, s.attempt.trigger) as StateOf<'configuring'>);
}

/** Sets rtmp_custom once OBS is STOPPED (it answers 500 while streaming or reconnecting). */
export function advanceConfiguring(tx: Tx, s: StateOf<'configuring'>): State {
  if (s.setOp !== null || ensureStopped(tx) === 'waiting') return s;
  // use_auth false: the token travels in the key; a stale RTMP login from the profile must not be sent (same type merges fields)
  const data = { streamServiceType: 'rtmp_custom', streamServiceSettings: { server: s.url.server, key: s.url.streamKey, use_auth: false } };
  return { ...s, setOp: obsCall(tx, 'SetStreamServiceSettings', data) };
}

export function onPipelineSignal(tx: Tx, s: StateOf<'minting' | 'configuring'>, _sig: Signal): State {
  if (s.kind === 'configuring') return advanceConfiguring(tx, s);
  ensureStopped(tx); // a late STARTED after we thought OBS stopped: stop it too
  return s;
}

export function onSetResult(tx: Tx, s: StateOf<'configuring'>, e: ObsResult): State {
  if (e.ok) {
    patchCtx(tx, { url: s.url });
    const startOp = obsCall(tx, 'StartStream');
    timer(tx, 'start-timeout', cfg(tx).startTimeoutMs);
    return to(tx, { kind: 'starting', attempt: s.attempt, startOp }, s.attempt.trigger);
  }
  if (e.error.status === OutputRunning && !s.busyRetried) {
    // OBS still streams although we saw STOPPED (someone started it): stop again, once per attempt
    log(tx, 'warn', 'set-busy', 'SetStreamServiceSettings refused: OBS is streaming; stopping it first');
    setObs(tx, { output: 'unknown' });
    return advanceConfiguring(tx, { ...s, setOp: null, busyRetried: true });
  }
  return attemptFailed(tx, s, 'set-failed', e.error);
}

export function onStartResult(tx: Tx, s: StateOf<'starting'>, e: ObsResult): State {
  if (e.ok) return s; // says nothing: the outcome is the STARTED or STOPPED event
  if (e.error.status === OutputRunning) {
    log(tx, 'info', 'start-already-running', 'StartStream: 500 OutputRunning, OBS already streams: confirming presence');
    return toConfirming(tx, s.attempt);
  }
  // no request status (deadline, closed socket): the start may be under way; its event or start-timeout decides
  if (e.error.status === undefined) return s;
  return attemptFailed(tx, s, 'start-rejected', e.error);
}

export function onStartingSignal(tx: Tx, s: StateOf<'starting'>, sig: Signal): State {
  if (sig === 'started' || sig === 'reconnected') return toConfirming(tx, s.attempt);
  if (sig === 'failure-stopped') return attemptFailed(tx, s, 'start-failed', { code: 'StartFailed', message: 'OBS could not connect to the ingest (STOPPED without STARTED)' });
  return s;
}

export function toConfirming(tx: Tx, attempt: Attempt): State {
  log(tx, 'info', 'started', `OBS STARTED ${tx.now - attempt.startedAt} ms after ${attempt.trigger}: confirming the publisher is in the channel`, { attempt: attempt.n });
  timer(tx, 'confirm-timeout', cfg(tx).confirmTimeoutMs);
  patchCtx(tx, { presence: { ...tx.ctx.presence, status: 'unknown', absentPolls: 0 } });
  return onPollTimer(tx, to(tx, { kind: 'confirming', attempt, pollOp: null }, attempt.trigger) as StateOf<'confirming'>);
}

export function onConfirmingSignal(tx: Tx, s: StateOf<'confirming'>, sig: Signal): State {
  if (sig === 'failure-stopped') return attemptFailed(tx, s, 'confirm-obs-stopped');
  if (sig === 'reconnecting') return attemptFailed(tx, s, 'confirm-obs-reconnecting');
  return s;
}

/** OBS streams with our URL (adopted after a reconnect, or a late STARTED): live once presence is seen. */
export function adoptLive(tx: Tx, message: string): State {
  patchCtx(tx, { presence: { ...tx.ctx.presence, status: 'unknown', absentPolls: 0 } });
  return enterLive(tx, 'adopted', message, 'now');
}
