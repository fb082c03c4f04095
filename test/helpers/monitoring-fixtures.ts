/** Snapshots and a fake clock for the metrics/health/alerts unit tests. */
import type { Snapshot } from '../../shared/supervisor/index.js';
import { FakeTimerQueue } from './fake-clock.js';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const STREAM_KEY = 'room-1?auth_key=1767000000-0-0-SECRETKEY0123456789';

export function snap(over: Partial<Snapshot> = {}): Snapshot {
  return {
    at: T0,
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

/** Timers on a fake clock from T0, settling promises with macrotask turns. */
export class FakeTimers extends FakeTimerQueue {
  constructor() {
    super(T0);
  }
}
