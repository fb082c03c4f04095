/**
 * The supervisor's vocabulary: states, events, effects and config, all plain data. `step()` (step.ts) maps
 * (state, event, now) to (state, effects); the runner (runner.ts) executes the effects and feeds results back
 * as events tagged with the operation id that asked for them, so a result from a superseded attempt is ignored.
 * Pure: no Node built-ins, no DOM. Runs in the dock and in the helper.
 */
import type { ChannelSettings, IntentBody } from '../channel.js';
import type { ObsCloseClass, ObsOutputState } from '../obs-protocol.js';
import type { Config } from './config.js';

export type { ChannelSettings, Config, IntentBody, ObsOutputState };
export { DEFAULT_CONFIG, makeConfig, SupervisorConfigError } from './config.js';

// ---------------------------------------------------------------- reasons

/** Why a recovery began (what was detected). Each counts in `recoveriesByReason`. */
export type DetectionReason =
  /** StreamStateChanged STOPPED with no STOPPING before it, not asked for: the output failed */
  | 'obs-stopped'
  /** OBS began its own reconnect (same, possibly expired URL): take over */
  | 'obs-reconnecting'
  /** the publisher was absent from DescribeChannelParticipants on N consecutive polls while OBS streamed */
  | 'publisher-absent'
  /** obs-websocket came back and OBS is not streaming although it should be */
  | 'obs-reconnected-not-streaming'
  /** the intent was restored (dock reload, helper restart) and OBS is not streaming */
  | 'resume-not-streaming';

/** What started an attempt: the user's Go live or a detection. */
export type AttemptTrigger = 'go-live' | DetectionReason;

/** Why one attempt failed (the next one waits for the backoff). */
export type FailureReason =
  | 'mint-failed'
  | 'stop-failed'
  | 'stop-timeout'
  | 'set-failed'
  | 'start-rejected'
  | 'start-failed'
  | 'start-timeout'
  | 'confirm-timeout'
  | 'confirm-obs-stopped'
  | 'confirm-obs-reconnecting';

export interface Attempt {
  /** tries made in this episode (1 = the first try); 0 while a storm delays the first try */
  n: number;
  trigger: AttemptTrigger;
  /** when the episode (Go live or detection) began */
  startedAt: number;
}

// ---------------------------------------------------------------- data

/** A minted ingest URL already split into OBS's two fields. `streamKey` holds the auth token: never log it. */
export interface IngestUrl {
  requestId: string;
  server: string;
  streamKey: string;
  /** ms since epoch, computed by the helper as request time + ExpireTime */
  expiresAt: number;
  /** ms since epoch, when step received it (lifetime = expiresAt - mintedAt) */
  mintedAt: number;
}

export interface ErrorInfo {
  code: string;
  message: string;
  requestId?: string | undefined;
}

/** An error as the ports report it. Cloud errors carry `kind` ('throttling' slows polling) and `retryable`. */
export interface OpError extends ErrorInfo {
  retryable?: boolean | undefined;
  kind?: string | undefined;
  /** OBS request status (500 OutputRunning, 501 OutputNotRunning ...) */
  status?: number | undefined;
  retryAfterMs?: number | undefined;
}

export type OutputKnown = 'starting' | 'started' | 'stopping' | 'stopped' | 'reconnecting' | 'reconnected' | 'unknown';
export type PresenceStatus = 'present' | 'absent' | 'unknown';

export interface ObsLink {
  connected: boolean;
  /** the last output state OBS told us (events or GetStreamStatus); 'unknown' after a (re)connect */
  output: OutputKnown;
  /** our StopStream in flight or awaiting STOPPED: a STOPPING/STOPPED while set is ours */
  stopOp: number | null;
  /** STOPPING arrived that we did not ask for: the next STOPPED is the user's (OBS's Stop Streaming button) */
  userStopping: boolean;
  /** ExitStarted arrived: OBS is quitting, its STOPPING/STOPPED are not the user's */
  exiting: boolean;
  /** reconnect attempts since the last connection; `reconnectOp` is a reconnect in flight */
  reconnectAttempt: number;
  reconnectOp: number | null;
  reconnectScheduled: boolean;
  /** a close that must not be retried automatically (4009 auth, 4010, 4011) */
  fatalClose: ErrorInfo | null;
}

export interface Presence {
  status: PresenceStatus;
  lastSeenAt: number | null;
  absentPolls: number;
  /** consecutive throttled polls: the interval doubles for each */
  throttled: number;
}

export interface Context {
  config: Config;
  /** the channel of the current (or last) intent */
  channel: ChannelSettings | null;
  /** PRNG state (mulberry32): step stays pure and its jitter reproducible */
  seed: number;
  nextOpId: number;
  obs: ObsLink;
  /** the URL OBS was last configured with */
  url: IngestUrl | null;
  /** a fresh, never-used URL kept ready so a recovery can skip the Create call */
  spare: IngestUrl | null;
  /** a background mint of the spare in flight */
  refreshOp: number | null;
  refreshFailures: number;
  presence: Presence;
  /** recovery start times inside the storm window */
  recentRecoveries: number[];
  lastError: ErrorInfo | null;
  /** set when a detection took the stream off air; cleared (and counted) when live again */
  offAirSince: number | null;
  /** the helper's lease; `otherHolder`: who holds it when it was refused or lost */
  lease: { held: boolean; opId: number | null; otherHolder?: string | undefined };
}

// ---------------------------------------------------------------- states

interface Base {
  since: number;
  /** why the supervisor is in this state (machine-readable, logged with the transition) */
  reason: string;
  ctx: Context;
}

export type ConnectingWait = 'obs' | 'lease' | 'status';

export type StateBody =
  | { kind: 'idle' }
  /** getting ready to act: the obs-websocket connection, the lease, then OBS's stream status */
  | {
      kind: 'connecting';
      waitingFor: ConnectingWait;
      /** 'go-live': (re)start whatever OBS does; 'adopt': keep a healthy stream, recover otherwise */
      entry: 'go-live' | 'adopt';
      /** the recovery reason if OBS turns out not to be streaming (adopt, no attempt in progress) */
      downReason: DetectionReason;
      /** an attempt interrupted by the connection loss, continued after reconcile */
      attempt: Attempt | null;
      opId: number | null;
      failures: number;
    }
  | { kind: 'minting'; attempt: Attempt; mintOp: number }
  /** `busyRetried`: SetStreamServiceSettings answered 500 (OBS streams) once already in this attempt */
  | { kind: 'configuring'; attempt: Attempt; url: IngestUrl; setOp: number | null; busyRetried: boolean }
  | { kind: 'starting'; attempt: Attempt; startOp: number }
  | { kind: 'confirming'; attempt: Attempt; pollOp: number | null }
  | { kind: 'live'; pollOp: number | null; obsReconnectingSince: number | null }
  | { kind: 'recovering'; attempt: Attempt; nextTryAt: number; lastFailure: FailureReason | 'storm-delay' }
  /**
   * waiting for STOPPED after Stop in the dock ('dock') or OBS's own Stop Streaming button ('obs');
   * `startOp`: our StartStream still unanswered when Stop was pressed (its refusal means nothing started)
   */
  | { kind: 'stopping'; via: 'dock' | 'obs'; startOp: number | null }
  | { kind: 'stopped-by-user' }
  | { kind: 'failed'; why: ErrorInfo };

export type State = Base & StateBody;
export type StateKind = StateBody['kind'];
export type StateOf<K extends StateKind> = Base & Extract<StateBody, { kind: K }>;

// ---------------------------------------------------------------- events

export type TimerId =
  | 'poll'
  | 'confirm-timeout'
  | 'start-timeout'
  | 'stop-timeout'
  | 'retry'
  | 'refresh-url'
  | 'grace'
  | 'obs-reconnect'
  | 'lease';

/** What the API port's mint resolves to (the supervisor stamps `mintedAt`). */
export type MintedUrl = Omit<IngestUrl, 'mintedAt'>;

export type Event =
  | { type: 'user-go-live'; channel: ChannelSettings }
  | { type: 'user-stop' }
  | { type: 'user-retry-now' }
  /** the helper's intent said "should be live" (dock reload, helper restart): supervise without restarting */
  | { type: 'resume'; channel: ChannelSettings }
  | { type: 'obs-stream-state'; outputState: ObsOutputState; outputActive: boolean }
  | { type: 'obs-exit-started' }
  | { type: 'obs-connected' }
  | { type: 'obs-disconnected'; code?: number; reason?: string; closeClass?: ObsCloseClass }
  | { type: 'obs-reconnect-result'; opId: number; ok: true }
  | { type: 'obs-reconnect-result'; opId: number; ok: false; error: OpError }
  | { type: 'obs-result'; opId: number; request: ObsRequest; ok: true; data?: unknown }
  | { type: 'obs-result'; opId: number; request: ObsRequest; ok: false; error: OpError }
  | { type: 'mint-result'; opId: number; ok: true; url: MintedUrl }
  | { type: 'mint-result'; opId: number; ok: false; error: OpError }
  | { type: 'participants-result'; opId: number; ok: true; requestId: string; users: string[] }
  | { type: 'participants-result'; opId: number; ok: false; error: OpError }
  | { type: 'lease-result'; opId: number; ok: true; granted: boolean; holder?: string }
  | { type: 'lease-result'; opId: number; ok: false; error: OpError }
  | { type: 'timer'; id: TimerId };

export type EventType = Event['type'];

// ---------------------------------------------------------------- effects

export type ObsRequest = 'GetStreamStatus' | 'StopStream' | 'SetStreamServiceSettings' | 'StartStream';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One action-log line as step emits it (the runner adds `at`). Never carries a stream key. */
export interface LogFields {
  level: LogLevel;
  /** machine-readable: a detection, failure or transition reason */
  reason: string;
  message: string;
  requestIds?: string[];
  error?: ErrorInfo;
  attempt?: number;
  /** set on the entry that starts a recovery: counted by reason */
  recovery?: DetectionReason;
  /** set when an off-air period ends: added to the time off-air */
  offAirMs?: number;
  from?: StateKind;
  to?: StateKind;
}

export type Effect =
  | { kind: 'mint'; opId: number; channel: ChannelSettings }
  | { kind: 'poll-participants'; opId: number; channel: ChannelSettings }
  | { kind: 'obs'; request: ObsRequest; data?: Record<string, unknown>; opId: number }
  | { kind: 'reconnect-obs'; opId: number }
  | { kind: 'timer'; id: TimerId; ms: number }
  | { kind: 'cancel-timer'; id: TimerId }
  | ({ kind: 'log' } & LogFields)
  | { kind: 'persist-intent'; intent: IntentBody }
  | { kind: 'lease'; action: 'acquire' | 'renew' | 'release'; opId: number };

export type EffectKind = Effect['kind'];

export interface StepResult {
  state: State;
  effects: Effect[];
}
