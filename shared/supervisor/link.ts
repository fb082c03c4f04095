/**
 * The obs-websocket link, the helper's lease, and `connecting`: before acting the supervisor needs OBS
 * connected, the lease (when one is used: only one supervisor acts on one OBS), and OBS's stream status. After a
 * lost connection it reconciles: should be live and OBS streams -> live; should be live and OBS does not -> recover.
 * Reconnects are single flight (one timer or one call at a time) with the shared OBS backoff; closes that a retry
 * cannot fix (4009 auth, 4010, 4011) are never retried automatically.
 */
import { nextObsReconnectDelay } from '../obs-reconnect-policy.js';
import { classifyClose, type ObsCloseClass } from '../obs-protocol.js';
import { fullJitterDelay } from '../retry-policy.js';
import { cancelTimer, cfg, draw, emit, log, nextOp, obsCall, patchCtx, setObs, timer, to, type Tx } from './context.js';
import { detect, onLiveSignal } from './detect.js';
import { fail, isSupervising, stoppedByUser } from './lifecycle.js';
import { adoptLive, startAttempt } from './pipeline.js';
import type { Attempt, DetectionReason, ErrorInfo, Event, State, StateOf } from './types.js';

type Connecting = StateOf<'connecting'>;
const CLOSE_CLASSES: ReadonlySet<string> = new Set(['auth-failed', 'session-invalidated', 'unsupported-rpc', 'protocol-error', 'unreachable', 'lost', 'normal']);

const FATAL_TEXT: Partial<Record<ObsCloseClass, string>> = {
  'auth-failed': 'OBS refused the obs-websocket password (4009): enter the right one',
  'session-invalidated': 'OBS ended this obs-websocket session (4011): reconnect by hand',
  'unsupported-rpc': 'this OBS speaks another obs-websocket RPC version (4010)',
  'protocol-error': 'obs-websocket closed the connection for a protocol error',
};

export function toConnecting(tx: Tx, entry: Connecting['entry'], attempt: Attempt | null, downReason: DetectionReason): State {
  cancelTimer(tx, 'retry');
  const s = to(tx, { kind: 'connecting', waitingFor: 'obs', entry, downReason, attempt, opId: null, failures: 0 }, entry === 'go-live' ? 'go-live' : 'reconcile') as Connecting;
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
  if (cfg(tx).useLease && !lease.held) {
    const opId = lease.opId ?? nextOp(tx);
    if (lease.opId === null) {
      patchCtx(tx, { lease: { held: false, opId, otherHolder: undefined } });
      emit(tx, { kind: 'lease', action: 'acquire', opId });
    }
    return { ...s, waitingFor: 'lease', opId };
  }
  return { ...s, waitingFor: 'status', opId: obsCall(tx, 'GetStreamStatus') };
}

export function reconnectNow(tx: Tx): void {
  const opId = nextOp(tx);
  cancelTimer(tx, 'obs-reconnect');
  setObs(tx, { reconnectOp: opId, reconnectScheduled: false, fatalClose: null });
  emit(tx, { kind: 'reconnect-obs', opId });
}

export function onConnected(tx: Tx, s: State): State {
  if (tx.ctx.obs.connected) return s;
  cancelTimer(tx, 'obs-reconnect');
  setObs(tx, { connected: true, output: 'unknown', stopOp: null, userStopping: false, exiting: false, reconnectAttempt: 0, reconnectOp: null, reconnectScheduled: false, fatalClose: null });
  log(tx, 'info', 'obs-connected', 'connected to OBS');
  return s.kind === 'connecting' ? proceed(tx, s) : s;
}

/** Schedules the next reconnect unless one is pending; false when this close must not be retried. */
function scheduleReconnect(tx: Tx, closeClass: ObsCloseClass): boolean {
  const obs = tx.ctx.obs;
  const attempt = obs.reconnectAttempt + 1;
  const delay = nextObsReconnectDelay({ attempt, closeClass, random: draw(tx), backoff: cfg(tx).obsReconnect });
  if (delay === null) {
    cancelTimer(tx, 'obs-reconnect');
    setObs(tx, { reconnectScheduled: false });
    return false;
  }
  if (obs.reconnectOp !== null || obs.reconnectScheduled) return true;
  setObs(tx, { reconnectAttempt: attempt, reconnectScheduled: true });
  timer(tx, 'obs-reconnect', delay);
  log(tx, 'info', 'obs-reconnect-scheduled', `reconnecting to OBS in ${delay} ms (try ${attempt})`);
  return true;
}

function fatalClose(tx: Tx, s: State, closeClass: ObsCloseClass, code: number | undefined): State {
  if (closeClass === 'normal') return s; // closed on purpose by this side
  const why: ErrorInfo = { code: `ObsClose${code ?? ''}`, message: FATAL_TEXT[closeClass] ?? `obs-websocket closed (${closeClass})` };
  setObs(tx, { fatalClose: why });
  if (!isSupervising(s)) {
    log(tx, 'error', why.code, why.message);
    return s;
  }
  // keep the intent: once the user fixes the cause, a reload or Go live resumes
  return fail(tx, why, { persist: false });
}

export function onDisconnected(tx: Tx, s: State, e: Extract<Event, { type: 'obs-disconnected' }>): State {
  const wasConnected = tx.ctx.obs.connected;
  const closeClass = e.closeClass ?? classifyClose(e.code ?? 1006, wasConnected);
  setObs(tx, { connected: false, output: 'unknown', stopOp: null, userStopping: false });
  if (!scheduleReconnect(tx, closeClass)) return fatalClose(tx, s, closeClass, e.code);
  if (!wasConnected) return s;
  log(tx, 'warn', 'obs-disconnected', `connection to OBS lost (${e.code ?? '?'} ${closeClass}${e.reason ? `: ${e.reason}` : ''})`);
  if (s.kind === 'stopping') {
    // a STOPPING without its STOPPED, then the socket closed: OBS quitting, not a user's stop; resume after its restart
    if (s.via === 'obs') return toConnecting(tx, 'adopt', null, 'obs-reconnected-not-streaming');
    return stoppedByUser(tx, 'user-stop', 'stopped by the user (OBS went away before confirming)');
  }
  if (s.kind === 'connecting') return { ...s, waitingFor: 'obs', opId: null };
  if (!isSupervising(s)) return s;
  const attempt = 'attempt' in s ? s.attempt : null;
  return toConnecting(tx, 'adopt', attempt, 'obs-reconnected-not-streaming');
}

export function onReconnectTimer(tx: Tx, s: State): State {
  if (tx.ctx.obs.connected || !tx.ctx.obs.reconnectScheduled) return s;
  reconnectNow(tx);
  return s;
}

export function onReconnectResult(tx: Tx, s: State, e: Extract<Event, { type: 'obs-reconnect-result' }>): State {
  if (e.opId !== tx.ctx.obs.reconnectOp) return s;
  setObs(tx, { reconnectOp: null });
  if (tx.ctx.obs.connected) return s;
  // `obs-connected` is the only proof of a connection; until it comes, the next try stays armed
  if (e.ok) {
    scheduleReconnect(tx, 'unreachable');
    return s;
  }
  const closeClass = (CLOSE_CLASSES.has(e.error.kind ?? '') ? e.error.kind : 'unreachable') as ObsCloseClass;
  if (!scheduleReconnect(tx, closeClass)) return fatalClose(tx, s, closeClass, e.error.status);
  return s;
}

/** GetStreamStatus answered: reconcile with the intent. */
export function onStatus(tx: Tx, s: Connecting, e: Extract<Event, { type: 'obs-result' }>): State {
  if (!e.ok) {
    log(tx, 'warn', 'status-failed', `GetStreamStatus failed (${e.error.code}: ${e.error.message}): asking again after a backoff`);
    return retryLater(tx, s);
  }
  const data = (e.data ?? {}) as { outputActive?: unknown; outputReconnecting?: unknown };
  const active = data.outputActive === true;
  const reconnecting = active && data.outputReconnecting === true;
  setObs(tx, { output: active ? (reconnecting ? 'reconnecting' : 'started') : 'stopped' });
  if (s.entry === 'go-live') return startAttempt(tx, s.attempt ?? { n: 1, trigger: 'go-live', startedAt: tx.now });
  if (active) {
    const live = adoptLive(tx, 'OBS is streaming: supervising it without restarting (presence check now)');
    return reconnecting && live.kind === 'live' ? onLiveSignal(tx, live, 'reconnecting') : live;
  }
  if (s.attempt) return startAttempt(tx, { ...s.attempt, n: s.attempt.n + 1 });
  return detect(tx, s, s.downReason, 'OBS is not streaming although it should be');
}

export function onLeaseResult(tx: Tx, s: State, e: Extract<Event, { type: 'lease-result' }>): State {
  const renewing = tx.ctx.lease.held;
  if (e.opId !== tx.ctx.lease.opId) return s;
  if (e.ok && !e.granted) {
    patchCtx(tx, { lease: { held: false, opId: null, otherHolder: e.holder } });
    if (!isSupervising(s)) return s;
    const message = `another supervisor${e.holder ? ` (${e.holder})` : ''} is acting on this OBS`;
    return fail(tx, { code: renewing ? 'LeaseLost' : 'LeaseHeld', message }, { persist: false });
  }
  if (e.ok) {
    patchCtx(tx, { lease: { held: true, opId: null } });
    timer(tx, 'lease', cfg(tx).leaseRenewMs);
    return s.kind === 'connecting' ? proceed(tx, { ...s, opId: null }) : s;
  }
  // the helper did not answer: a holder keeps acting and tries again at the next renewal
  patchCtx(tx, { lease: { held: renewing, opId: null } });
  log(tx, 'warn', 'lease-failed', `the helper's lease could not be ${renewing ? 'renewed' : 'acquired'}: ${e.error.code} ${e.error.message}`);
  if (renewing) timer(tx, 'lease', cfg(tx).leaseRenewMs);
  if (s.kind !== 'connecting') return s;
  return retryLater(tx, s);
}

/** `connecting` could not get the lease or the status: ask again after a backoff ('retry' re-enters proceed). */
function retryLater(tx: Tx, s: Connecting): State {
  const failures = s.failures + 1;
  const retry = cfg(tx).retry;
  const delay = fullJitterDelay(failures, draw(tx), retry) ?? retry.capMs;
  timer(tx, 'retry', delay);
  return { ...s, opId: null, failures };
}

export function onLeaseTimer(tx: Tx, s: State): State {
  if (!tx.ctx.lease.held || tx.ctx.lease.opId !== null || !isSupervising(s)) return s;
  const opId = nextOp(tx);
  patchCtx(tx, { lease: { held: true, opId } });
  emit(tx, { kind: 'lease', action: 'renew', opId });
  return s;
}

