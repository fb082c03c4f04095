/**
 * A token bucket that keeps the helper under the cloud's 100 requests per second per account.
 * The clock is a parameter: `take(now)` returns how long to wait before the request may go (0 = now).
 * The default is 90/s with a burst of 5: any one-second window then holds at most 5 + 90 = 95 requests
 * (a bucket's worst window is burst + rate), leaving headroom for other tools using the same account.
 */
export class TokenBucket {
  private tokens: number;
  private last: number | undefined;

  constructor(
    private readonly ratePerSec = 90,
    private readonly burst = 5,
  ) {
    this.tokens = burst;
  }

  /** Reserves one token; returns the wait in ms before it is usable. */
  take(now: number): number {
    this.refill(now);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSec) * 1000);
  }

  private refill(now: number): void {
    if (this.last !== undefined && now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
    }
    this.last = Math.max(now, this.last ?? now);
  }
}

/** One bucket per AccessKey id, shared by every client in the process. */
const buckets = new Map<string, TokenBucket>();
export function bucketFor(accessKeyId: string): TokenBucket {
  let b = buckets.get(accessKeyId);
  if (!b) buckets.set(accessKeyId, (b = new TokenBucket()));
  return b;
}
