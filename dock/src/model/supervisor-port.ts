/**
 * What the dock needs from the supervisor (shared/supervisor): commands in, a flat view out. The adapter in
 * supervisor-adapter.ts binds the real runner to this; tests inject a fake. Keeping the view flat means the
 * components do not depend on the supervisor's internal state shape.
 */
import type { ChannelSettings } from '../../../shared/api-routes.js';
import type { ReadableStore } from '../lib/store.js';

export interface ErrorView {
  code: string;
  message: string;
  requestId?: string | undefined;
}

export interface LogEntryView {
  at: number;
  level: string;
  reason: string;
  message: string;
  requestIds?: string[] | undefined;
  error?: ErrorView | undefined;
}

export type PresenceView = 'present' | 'absent' | 'unknown';

export interface LiveView {
  /** the supervisor's state kind: idle, connecting, minting, configuring, starting, confirming, live, recovering, stopping, stopped-by-user, failed */
  kind: string;
  /** since when (ms) the supervisor is in this state */
  since: number;
  /** machine-readable reason of the state (recovery trigger, failure) */
  reason: string;
  /** recovery / start attempt number */
  attempt?: number | undefined;
  /** recovering: when the next try begins (ms) */
  nextTryAt?: number | undefined;
  lastError?: ErrorView | undefined;
  /** the URL OBS is configured with (the stream key is only shown masked unless revealed) */
  url?: { server: string; streamKey: string; expiresAt: number; requestId: string } | undefined;
  presence: PresenceView;
  counters: { recoveriesByReason: Record<string, number>; offAirMs: number; offAirSince?: number | undefined };
  log: readonly LogEntryView[];
  /** another instance holds the lease for this OBS (its holder id) */
  supervisedBy?: string | undefined;
  /** when the supervisor's next obs-websocket reconnect is due (ms), while OBS is not connected */
  obsNextTryAt?: number | undefined;
}

export const IDLE_VIEW: LiveView = {
  kind: 'idle',
  since: 0,
  reason: 'initial',
  presence: 'unknown',
  counters: { recoveriesByReason: {}, offAirMs: 0 },
  log: [],
};

export interface SupervisorHandle extends ReadableStore<LiveView> {
  goLive(channel: ChannelSettings): void;
  /** the intent said "should be live" (reload, helper restart): supervise, keeping a healthy stream */
  resume(channel: ChannelSettings): void;
  stop(): void;
  retryNow(): void;
  /** the action log as JSON lines */
  exportLog(): string;
  dispose(): void;
}

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
