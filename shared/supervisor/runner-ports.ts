/** The ports the runner calls (OBS, the cloud API, the helper's intent and lease, timers) and its deadlines. */
import type { IntentBody } from '../channel.js';
import type { ActionLog } from './log.js';
import type { ChannelSettings, Config, State } from './types.js';

export interface ObsPort {
  /** one obs-websocket request; rejects with the request status as a numeric `code` (obs-websocket-js) */
  call(requestType: string, data?: object): Promise<unknown>;
  /**
   * Connect now unless connected or connecting. The adapter reports the outcome as events: `obs-connected` once
   * identified, `obs-disconnected` (with the close code/class) when the attempt or the session ends. A rejection
   * counts as a failed attempt; if neither event follows, the supervisor tries again after its backoff.
   */
  reconnect(): Promise<void> | void;
}

export interface ApiPort {
  /** expiresAt: ms since epoch (an ISO string is accepted too) */
  mint(
    channel: ChannelSettings,
  ): Promise<{ requestId: string; server: string; streamKey: string; expiresAt: number | string }>;
  participants(channel: ChannelSettings): Promise<{ requestId: string; users: string[] }>;
}

export interface IntentPort {
  save(intent: IntentBody): Promise<void>;
}

/** The helper's lease (one supervisor per OBS); the adapter knows the holder name, the OBS URL and the ttl. */
export interface LeasePort {
  request(action: 'acquire' | 'renew' | 'release'): Promise<{ granted: boolean; holder?: string }>;
}

export interface TimerApi {
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface Deadlines {
  obsMs: number;
  reconnectMs: number;
  /** covers the cloud client's own retries */
  apiMs: number;
  intentMs: number;
  leaseMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = {
  obsMs: 5_000,
  reconnectMs: 15_000,
  apiMs: 20_000,
  intentMs: 5_000,
  leaseMs: 5_000,
};

export interface RunnerOptions {
  obs: ObsPort;
  api: ApiPort;
  intent?: IntentPort;
  lease?: LeasePort;
  /** `now()`: ms since epoch */
  clock: { now(): number };
  /** a number in [0, 1) */
  random: () => number;
  timers: TimerApi;
  /** overrides of DEFAULT_CONFIG, taken as given (`makeConfig` checks them); `useLease` follows `lease` */
  config?: Partial<Config>;
  log?: ActionLog;
  deadlines?: Partial<Deadlines>;
  /** start from this state instead of idle (tests) */
  initial?: State;
}
