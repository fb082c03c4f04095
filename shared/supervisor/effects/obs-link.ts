/**
 * The obs-websocket link, as the context records it. Reconnects are single flight (one timer or one call at a
 * time) with the shared OBS backoff; closes that a retry cannot fix (4009 auth, 4010, 4011) are never retried
 * automatically. What a lost or refused link means for supervision is the states' business: these helpers only
 * update the link and say what happened.
 */
import { nextObsReconnectDelay } from '../../obs-reconnect-policy.js';
import { classifyClose, type ObsCloseClass } from '../../obs-protocol.js';
import { cancelTimer, cfg, draw, emit, FRESH_LINK, log, nextOp, setObs, timer, type Tx } from '../context.js';
import type { ErrorInfo, Event } from '../types.js';

const CLOSE_CLASSES: ReadonlySet<string> = new Set([
  'auth-failed',
  'session-invalidated',
  'unsupported-rpc',
  'protocol-error',
  'unreachable',
  'lost',
  'normal',
]);

const FATAL_TEXT: Partial<Record<ObsCloseClass, string>> = {
  'auth-failed': 'OBS refused the obs-websocket password (4009): enter the right one',
  'session-invalidated': 'OBS ended this obs-websocket session (4011): reconnect by hand',
  'unsupported-rpc': 'this OBS speaks another obs-websocket RPC version (4010)',
  'protocol-error': 'obs-websocket closed the connection for a protocol error',
};

/** What a close means: 'quiet' (nothing lost, or closed on purpose), 'lost' (a live connection dropped), or fatal. */
export type LinkDown = 'quiet' | 'lost' | { fatal: ErrorInfo };

export function reconnectNow(tx: Tx): void {
  const opId = nextOp(tx);
  cancelTimer(tx, 'obs-reconnect');
  setObs(tx, { reconnectOp: opId, reconnectScheduled: false, fatalClose: null });
  emit(tx, { kind: 'reconnect-obs', opId });
}

/** `obs-connected`: records the link; false when it was already up (a duplicate event changes nothing). */
export function linkUp(tx: Tx): boolean {
  if (tx.ctx.obs.connected) return false;
  cancelTimer(tx, 'obs-reconnect');
  setObs(tx, { ...FRESH_LINK, connected: true });
  log(tx, 'info', 'obs-connected', 'connected to OBS');
  return true;
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

/** A close no retry fixes: recorded; null for a normal close (closed on purpose by this side). */
function fatalClose(tx: Tx, closeClass: ObsCloseClass, code: number | undefined): ErrorInfo | null {
  if (closeClass === 'normal') return null;
  const why: ErrorInfo = {
    code: `ObsClose${code ?? ''}`,
    message: FATAL_TEXT[closeClass] ?? `obs-websocket closed (${closeClass})`,
  };
  setObs(tx, { fatalClose: why });
  return why;
}

/** `obs-disconnected`: the link is down; a reconnect is scheduled unless the close is fatal. */
export function linkDown(tx: Tx, e: Extract<Event, { type: 'obs-disconnected' }>): LinkDown {
  const wasConnected = tx.ctx.obs.connected;
  const closeClass = e.closeClass ?? classifyClose(e.code ?? 1006, wasConnected);
  setObs(tx, { connected: false, output: 'unknown', stopOp: null, userStopping: false });
  if (!scheduleReconnect(tx, closeClass)) {
    const why = fatalClose(tx, closeClass, e.code);
    return why ? { fatal: why } : 'quiet';
  }
  if (!wasConnected) return 'quiet';
  log(
    tx,
    'warn',
    'obs-disconnected',
    `connection to OBS lost (${e.code ?? '?'} ${closeClass}${e.reason ? `: ${e.reason}` : ''})`,
  );
  return 'lost';
}

/** The reconnect timer fired: connect now unless already connected or no longer scheduled. */
export function reconnectTimer(tx: Tx): void {
  if (tx.ctx.obs.connected || !tx.ctx.obs.reconnectScheduled) return;
  reconnectNow(tx);
}

/** A reconnect call answered; returns the fatal close (no retry) if it was one, else null. */
export function reconnectAnswered(tx: Tx, e: Extract<Event, { type: 'obs-reconnect-result' }>): ErrorInfo | null {
  if (e.opId !== tx.ctx.obs.reconnectOp) return null;
  setObs(tx, { reconnectOp: null });
  if (tx.ctx.obs.connected) return null;
  // `obs-connected` is the only proof of a connection; until it comes, the next try stays armed
  if (e.ok) {
    scheduleReconnect(tx, 'unreachable');
    return null;
  }
  const closeClass = (CLOSE_CLASSES.has(e.error.kind ?? '') ? e.error.kind : 'unreachable') as ObsCloseClass;
  if (!scheduleReconnect(tx, closeClass)) return fatalClose(tx, closeClass, e.error.status);
  return null;
}
