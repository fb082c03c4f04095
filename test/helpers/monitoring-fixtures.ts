/** Snapshots and a fake clock for the metrics/health/alerts unit tests. */
import type { Snapshot } from '../../shared/supervisor/index.js';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const STREAM_KEY = 'room-1?auth_key=1767000000-0-0-SECRETKEY0123456789';

export function snap(over: Partial<Snapshot> = {}): Snapshot {
  return {
    kind: 'live',
    since: T0,
    reason: 'publisher-confirmed',
    locked: true,
    trigger: null,
    attempt: null,
    nextTryAt: null,
    lastError: null,
    url: { server: 'rtmp://127.0.0.1:1935/live', streamKey: STREAM_KEY, expiresAt: T0 + 3_600_000, requestId: 'req-1' },
    urlExpiresAt: T0 + 3_600_000,
    spareExpiresAt: null,
    presence: { status: 'present', lastSeenAt: T0 },
    obs: { connected: true, output: 'started', reconnectAt: null },
    storming: false,
    channel: { appId: 'demoApp', channelId: 'room-1', userId: 'obs-1', displayName: 'Studio' },
    counters: { recoveries: 0, recoveriesByReason: {}, offAirMs: 0, lastRecoveryAt: null },
    offAirSince: null,
    supervisedBy: null,
    ...over,
  };
}

/** Timers on a fake clock: `advance` fires what falls due, in order, letting promises settle between. */
export class FakeTimers {
  time = T0;
  private seq = 0;
  private readonly queue = new Map<number, { at: number; fn: () => void }>();
  now = (): number => this.time;
  setTimer = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.queue.set(id, { at: this.time + ms, fn });
    return id;
  };
  clearTimer = (h: unknown): void => void this.queue.delete(h as number);
  get pending(): number {
    return this.queue.size;
  }
  /** lets promise chains settle (a macrotask turn, not a sleep: no time passes on the fake clock) */
  async flush(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
  }
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await this.flush();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.queue) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.queue.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
    await this.flush();
  }
}
