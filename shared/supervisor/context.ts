/**
 * The scratch pad of one `step` call: the context being rebuilt (copied, never mutated in place), the effects
 * emitted so far, and the clock reading. Helpers here are the only way step code emits effects, draws random
 * numbers or allocates operation ids, so every handler stays a small pure function of (tx, state, event).
 */
import { DEFAULT_CONFIG } from './config.js';
import type {
  ChannelSettings,
  Config,
  Context,
  Effect,
  ErrorInfo,
  LogFields,
  LogLevel,
  ObsLink,
  ObsRequest,
  OpError,
  Event,
  EventType,
  State,
  StateBody,
  StateKind,
  StateOf,
  TimerId,
} from './types.js';

export interface Tx {
  readonly now: number;
  ctx: Context;
  readonly effects: Effect[];
}

/** The states in charge of OBS's stream (stopping included: still acting on it); the others wait for the user. */
export const SUPERVISING_KINDS = [
  'connecting',
  'minting',
  'configuring',
  'starting',
  'confirming',
  'live',
  'recovering',
  'stopping',
] as const;
export type SupervisingKind = (typeof SUPERVISING_KINDS)[number];
const SUPERVISING: ReadonlySet<StateKind> = new Set<StateKind>(SUPERVISING_KINDS);

export function isSupervising(s: State): boolean {
  return SUPERVISING.has(s.kind);
}

/**
 * A state's handlers by event, XState's `on` map. Timers are one key each (`timer:poll`), as XState's delayed
 * transitions are, so a state module lists exactly the timers it reacts to.
 */
export type HandlerKey = Exclude<EventType, 'timer'> | `timer:${TimerId}`;
export type EventOf<K extends HandlerKey> = K extends `timer:${string}`
  ? Extract<Event, { type: 'timer' }>
  : Extract<Event, { type: K }>;
export type Handler<S extends State, K extends HandlerKey> = (tx: Tx, s: S, e: EventOf<K>) => State;
export type Handlers<S extends State> = { [K in HandlerKey]?: Handler<S, K> };

/** One state of the machine: the timers it owns (leaving it cancels them) and its handlers. */
export interface StateNode<K extends StateKind> {
  readonly owns: readonly TimerId[];
  readonly on: Handlers<StateOf<K>>;
}

export function beginTx(state: State, now: number): Tx {
  return { now, ctx: { ...state.ctx }, effects: [] };
}

/** A new state of the given body, entered now. `finishTx` attaches the final context. */
export function to(tx: Tx, body: StateBody, reason: string): State {
  return { ...body, since: tx.now, reason, ctx: tx.ctx } as State;
}

export function cfg(tx: Tx): Config {
  return tx.ctx.config;
}

/** The obs-websocket link as a new session starts it: nothing known about OBS's output, no stop or retry pending. */
export const FRESH_LINK: Omit<ObsLink, 'connected'> = {
  output: 'unknown',
  stopOp: null,
  userStopping: false,
  exiting: false,
  reconnectAttempt: 0,
  reconnectOp: null,
  reconnectScheduled: false,
  fatalClose: null,
};

export function setObs(tx: Tx, patch: Partial<ObsLink>): void {
  tx.ctx = { ...tx.ctx, obs: { ...tx.ctx.obs, ...patch } };
}

export function patchCtx(tx: Tx, patch: Partial<Context>): void {
  tx.ctx = { ...tx.ctx, ...patch };
}

export function nextOp(tx: Tx): number {
  const id = tx.ctx.nextOpId;
  patchCtx(tx, { nextOpId: id + 1 });
  return id;
}

/** mulberry32: a uniform draw in [0, 1) from the seed kept in the context; the seed advances. */
export function draw(tx: Tx): number {
  const t = (tx.ctx.seed + 0x6d2b79f5) >>> 0;
  let r = Math.imul(t ^ (t >>> 15), t | 1);
  r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
  patchCtx(tx, { seed: t });
  return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
}

export function emit(tx: Tx, effect: Effect): void {
  tx.effects.push(effect);
}

export function log(
  tx: Tx,
  level: LogLevel,
  reason: string,
  message: string,
  extra: Omit<Partial<LogFields>, 'level' | 'reason' | 'message'> = {},
): void {
  emit(tx, { kind: 'log', level, reason, message, ...extra });
}

export function timer(tx: Tx, id: TimerId, ms: number): void {
  emit(tx, { kind: 'timer', id, ms: Math.max(0, Math.round(ms)) });
}

export function cancelTimer(tx: Tx, id: TimerId): void {
  emit(tx, { kind: 'cancel-timer', id });
}

export function obsCall(tx: Tx, request: ObsRequest, data?: Record<string, unknown>): number {
  const opId = nextOp(tx);
  emit(tx, data === undefined ? { kind: 'obs', request, opId } : { kind: 'obs', request, data, opId });
  return opId;
}

export function errorInfo(e: ErrorInfo): ErrorInfo {
  return e.requestId
    ? { code: e.code, message: e.message, requestId: e.requestId }
    : { code: e.code, message: e.message };
}

export function setLastError(tx: Tx, e: ErrorInfo | null): void {
  patchCtx(tx, { lastError: e && errorInfo(e) });
}

/** Cloud errors that retrying cannot fix: the user must act (bad input, credentials, clock skew). */
export function needsUser(e: OpError): boolean {
  if (e.kind !== undefined) return e.kind === 'input' || e.kind === 'auth' || e.kind === 'signature';
  return e.retryable === false;
}

export function requestIdsOf(e: { requestId?: string | undefined }): { requestIds?: string[] } {
  return e.requestId ? { requestIds: [e.requestId] } : {};
}

export interface InitOptions {
  config?: Config;
  /** any number; the runner passes a draw of its injected random() */
  seed?: number;
  now?: number;
  channel?: ChannelSettings | null;
}

export function initialState(opts: InitOptions = {}): State {
  const ctx: Context = {
    config: opts.config ?? DEFAULT_CONFIG,
    channel: opts.channel ?? null,
    seed: Math.floor((opts.seed ?? 0.5) * 4_294_967_296) >>> 0 || 1,
    nextOpId: 1,
    obs: { ...FRESH_LINK, connected: false },
    url: null,
    spare: null,
    refreshOp: null,
    refreshFailures: 0,
    presence: { status: 'unknown', lastSeenAt: null, absentPolls: 0, throttled: 0 },
    recentRecoveries: [],
    lastError: null,
    offAirSince: null,
    lease: { held: false, opId: null },
  };
  return { kind: 'idle', since: opts.now ?? 0, reason: 'initial', ctx };
}
