/**
 * Remembers every x-acs-signature-nonce the gateway accepted, so a replayed request fails with
 * SignatureNonceUsed. A request is only accepted while its x-acs-date is within 15 min of the clock, and
 * that date may be up to 15 min ahead: remembering each nonce for 30 min covers every replay that could
 * still pass the date check.
 */
export const NONCE_TTL_MS = 30 * 60_000;

export class NonceStore {
  /** nonce -> the time it may be forgotten; insertion order is (almost) expiry order */
  private readonly seen = new Map<string, number>();

  constructor(private readonly ttlMs = NONCE_TTL_MS) {}

  /** True when the nonce is new (and records it); false when it was used within the TTL. */
  claim(nonce: string, now: number): boolean {
    this.prune(now);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now + this.ttlMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(now: number): void {
    for (const [nonce, forgetAt] of this.seen) {
      if (forgetAt > now) break;
      this.seen.delete(nonce);
    }
  }
}
