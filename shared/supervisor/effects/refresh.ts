/**
 * The spare URL. A running push is not cut off when its URL expires (alibaba-api.md: documented for WHIP,
 * assumed for RTMP), so expiry matters only at the next (re)connect: a healthy stream is never stopped for it.
 * Instead one fresh URL is kept minted ahead, re-minted before it nears expiry, so a recovery can skip the
 * Create call on its critical path. Each recovery consumes the spare and mints one more once live again: one
 * Create call per recovery.
 */
import { fullJitterDelay } from '../../retry-policy.js';
import { cfg, draw, emit, log, nextOp, patchCtx, requestIdsOf, timer, type Tx } from '../context.js';
import type { Config, Event, IngestUrl, MintedUrl } from '../types.js';

type MintResult = Extract<Event, { type: 'mint-result' }>;

/** How long before expiry to replace a URL: max(fraction x lifetime, minMs), never more than half its life. */
export function refreshAheadMs(url: IngestUrl, c: Config): number {
  const life = Math.max(0, url.expiresAt - url.mintedAt);
  return Math.min(Math.max(c.refreshAheadFraction * life, c.refreshAheadMinMs), life / 2);
}

/**
 * Valid long enough to (re)start with: more than `minUsableValidityMs` left, or for URLs shorter-lived than twice
 * that (a user's `--expire-time 30`), more than half their life. Else a short ExpireTime could never go live.
 */
export function usableUrl(tx: Tx, url: IngestUrl): boolean {
  const life = Math.max(0, url.expiresAt - url.mintedAt);
  return url.expiresAt - tx.now > Math.min(cfg(tx).minUsableValidityMs, life / 2);
}

export function stamp(tx: Tx, url: MintedUrl): IngestUrl {
  return {
    requestId: url.requestId,
    server: url.server,
    streamKey: url.streamKey,
    expiresAt: url.expiresAt,
    mintedAt: tx.now,
  };
}

/** Takes the spare for a (re)start when it is still valid long enough. */
export function takeSpare(tx: Tx): IngestUrl | null {
  const spare = tx.ctx.spare;
  if (spare === null) return null;
  patchCtx(tx, { spare: null });
  if (usableUrl(tx, spare)) return spare;
  log(tx, 'info', 'spare-expired', `spare URL (RequestId ${spare.requestId}) too close to expiry: minting a new one`);
  return null;
}

/**
 * A try left `configuring` without a StartStream (its Set failed, OBS went away, the user stopped): its URL was
 * never published, so it is as good as a spare. It is kept as the spare when there is none, and the next try needs
 * no Create call. Without this, an OBS quit during a recovery's Set cost two more Creates.
 */
export function keepUnpublished(tx: Tx, url: IngestUrl): void {
  if (tx.ctx.spare !== null || !usableUrl(tx, url)) return;
  patchCtx(tx, { spare: url });
  log(tx, 'info', 'spare-kept', 'the interrupted try never published its URL: kept as the spare', {
    requestIds: [url.requestId],
  });
}

/** While live: mint a spare now if none is usable, else arm the timer for its refresh. */
export function scheduleRefresh(tx: Tx): void {
  const c = cfg(tx);
  if (!c.preMint || tx.ctx.refreshOp !== null) return;
  const spare = tx.ctx.spare;
  if (spare !== null && usableUrl(tx, spare)) {
    const due = spare.expiresAt - refreshAheadMs(spare, c) - tx.now;
    if (due > 0) return timer(tx, 'refresh-url', due);
  }
  startRefresh(tx);
}

export function startRefresh(tx: Tx): void {
  const channel = tx.ctx.channel;
  if (channel === null || tx.ctx.refreshOp !== null) return;
  const opId = nextOp(tx);
  patchCtx(tx, { refreshOp: opId });
  emit(tx, { kind: 'mint', opId, channel });
}

/**
 * A background mint answered (it may have been started while live and land in any state). Only while `live` is
 * the next refresh armed: the other states consume the spare or do not need one.
 */
export function spareAnswered(tx: Tx, e: MintResult, live: boolean): void {
  patchCtx(tx, { refreshOp: null });
  if (e.ok) {
    const spare = stamp(tx, e.url);
    patchCtx(tx, { spare, refreshFailures: 0 });
    log(tx, 'info', 'spare-minted', `spare URL ready, valid until ${new Date(spare.expiresAt).toISOString()}`, {
      requestIds: [spare.requestId],
    });
    if (live) scheduleRefresh(tx);
    return;
  }
  const failures = tx.ctx.refreshFailures + 1;
  patchCtx(tx, { refreshFailures: failures });
  log(
    tx,
    'warn',
    'spare-mint-failed',
    `could not mint the spare URL (the stream is untouched): ${e.error.code} ${e.error.message}`,
    {
      error: { code: e.error.code, message: e.error.message },
      ...requestIdsOf(e.error),
    },
  );
  if (live) {
    const c = cfg(tx).refreshBackoff;
    const delay = fullJitterDelay(failures, draw(tx), c) ?? c.capMs;
    timer(tx, 'refresh-url', Math.max(delay, e.error.retryAfterMs ?? 0));
  }
}
