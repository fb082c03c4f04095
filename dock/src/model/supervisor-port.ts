/**
 * What the dock needs from the supervisor (shared/supervisor): commands in, its own `Snapshot` out (the dock
 * reads the supervisor's view as it is, no copy of its shape here), and the action log's recent entries. The
 * adapter in supervisor-adapter.ts binds the real runner to this; tests inject a fake.
 */
import type { ChannelSettings } from '../../../shared/api-routes.js';
import type { LogEntry, Snapshot } from '../../../shared/supervisor/index.js';
import type { ReadableStore } from '../lib/store.js';

export type { LogEntry, Snapshot };

export interface SupervisorHandle extends ReadableStore<Snapshot> {
  goLive(channel: ChannelSettings): void;
  /** the intent said "should be live" (reload, helper restart): supervise, keeping a healthy stream */
  resume(channel: ChannelSettings): void;
  stop(): void;
  retryNow(): void;
  /** the newest `n` action-log entries, oldest first */
  entries(n: number): readonly LogEntry[];
  /** the action log as JSON lines */
  exportLog(): string;
  dispose(): void;
}

/** The supervisor before anything happened (what the runner's first snapshot says), for the dock's first render. */
export const IDLE_SNAPSHOT: Snapshot = {
  at: 0,
  kind: 'idle',
  since: 0,
  reason: 'initial',
  locked: false,
  trigger: null,
  attempt: null,
  nextTryAt: null,
  lastError: null,
  url: null,
  urlExpiresAt: null,
  spareExpiresAt: null,
  presence: { status: 'unknown', lastSeenAt: null },
  obs: { connected: false, output: 'unknown', reconnectAt: null },
  storming: false,
  channel: null,
  counters: { recoveries: 0, recoveriesByReason: {}, offAirMs: 0, lastRecoveryAt: null },
  offAirSince: null,
  supervisedBy: null,
};

/** States where a Go live is in progress: Go live stays locked until the outcome (a second StartStream can crash OBS). */
export const STARTING_KINDS: ReadonlySet<string> = new Set([
  'connecting',
  'minting',
  'configuring',
  'starting',
  'confirming',
]);
/** States where nothing is supervised: Go live is allowed. */
export const IDLE_KINDS: ReadonlySet<string> = new Set(['idle', 'stopped-by-user', 'failed']);
