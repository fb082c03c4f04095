/**
 * What one supervision episode records beyond OBS: the intent ("should be live" and the channel), persisted
 * through the helper on every change so a dock reload, a helper restart or an OBS restart resumes it; the
 * off-air time; and the recovery window that tells a storm (an admin removing the user again and again).
 */
import { cfg, emit, log, patchCtx, type Tx } from '../context.js';
import type { ChannelSettings } from '../types.js';

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

/** More than `stormThreshold` recoveries inside the window: an admin may be removing the user again and again. */
export function storming(tx: Tx): boolean {
  const c = cfg(tx);
  return tx.ctx.recentRecoveries.filter((t) => tx.now - t < c.stormWindowMs).length > c.stormThreshold;
}
