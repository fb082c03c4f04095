/**
 * The helper's lease: only one supervisor acts on one OBS. Acquired while `connecting` (when `useLease`), renewed
 * every `leaseRenewMs` while supervising, released when supervision ends. A refusal means another supervisor
 * holds it; the states decide what that ends.
 */
import { cancelTimer, cfg, emit, log, nextOp, patchCtx, timer, type Tx } from '../context.js';
import type { ErrorInfo, Event } from '../types.js';

/** 'stale': not the request in flight; 'unanswered': the helper failed (a holder keeps acting); or the refusal. */
export type LeaseAnswer = 'stale' | 'granted' | 'unanswered' | { refused: ErrorInfo };

/** Asks for the lease unless a request is out; returns that request's op id. */
export function acquireLease(tx: Tx): number {
  const { lease } = tx.ctx;
  const opId = lease.opId ?? nextOp(tx);
  if (lease.opId === null) {
    patchCtx(tx, { lease: { held: false, opId, otherHolder: undefined } });
    emit(tx, { kind: 'lease', action: 'acquire', opId });
  }
  return opId;
}

export function leaseAnswered(tx: Tx, e: Extract<Event, { type: 'lease-result' }>): LeaseAnswer {
  const renewing = tx.ctx.lease.held;
  if (e.opId !== tx.ctx.lease.opId) return 'stale';
  if (e.ok && !e.granted) {
    patchCtx(tx, { lease: { held: false, opId: null, otherHolder: e.holder } });
    const message = `another supervisor${e.holder ? ` (${e.holder})` : ''} is acting on this OBS`;
    return { refused: { code: renewing ? 'LeaseLost' : 'LeaseHeld', message } };
  }
  if (e.ok) {
    patchCtx(tx, { lease: { held: true, opId: null } });
    timer(tx, 'lease', cfg(tx).leaseRenewMs);
    return 'granted';
  }
  // the helper did not answer: a holder keeps acting and tries again at the next renewal
  patchCtx(tx, { lease: { held: renewing, opId: null } });
  log(
    tx,
    'warn',
    'lease-failed',
    `the helper's lease could not be ${renewing ? 'renewed' : 'acquired'}: ${e.error.code} ${e.error.message}`,
  );
  if (renewing) timer(tx, 'lease', cfg(tx).leaseRenewMs);
  return 'unanswered';
}

/** The renewal timer fired (while supervising): renew unless a request is out. */
export function renewLease(tx: Tx): void {
  if (!tx.ctx.lease.held || tx.ctx.lease.opId !== null) return;
  const opId = nextOp(tx);
  patchCtx(tx, { lease: { held: true, opId } });
  emit(tx, { kind: 'lease', action: 'renew', opId });
}

export function releaseLease(tx: Tx): void {
  if (!tx.ctx.lease.held && tx.ctx.lease.opId === null) return;
  patchCtx(tx, { lease: { held: false, opId: null } });
  cancelTimer(tx, 'lease');
  emit(tx, { kind: 'lease', action: 'release', opId: nextOp(tx) });
}
