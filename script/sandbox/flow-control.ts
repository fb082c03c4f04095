/**
 * The gateway's flow control: at most `limit` calls per operation per account in any sliding window of
 * `windowMs` (the doc: "up to 100 times per second per account"). Refused calls do not use up the quota.
 * The clock is a parameter, so tests drive it with a fake one.
 */
export class FlowControl {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit = 100,
    readonly windowMs = 1_000,
  ) {}

  /** 0 when the call may go (and it is counted); otherwise the ms until a slot frees up. */
  take(key: string, now: number): number {
    const list = this.hits.get(key) ?? [];
    while (list.length > 0 && list[0]! <= now - this.windowMs) list.shift();
    if (list.length >= this.limit) return Math.max(1, list[0]! + this.windowMs - now);
    list.push(now);
    this.hits.set(key, list);
    return 0;
  }

  reset(): void {
    this.hits.clear();
  }
}
