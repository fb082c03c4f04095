/**
 * The thin runner around `step`: it holds the state, executes effects through injected ports, keeps one timer
 * per id (a new one replaces the old), puts a deadline on every port call, and feeds every result back as an
 * event tagged with the operation id that asked for it (step ignores ids it no longer waits for). Events that
 * arrive while a step runs are queued, so steps never interleave. Clock, randomness and timers are injected:
 * the dock and the helper pass real ones, tests pass fakes.
 */
import type { IntentBody } from '../channel.js';
import { makeConfig } from './config.js';
import { initialState } from './context.js';
import { ActionLog, type LogEntry } from './log.js';
import { normalizeApiError, normalizeObsError, parseMinted, parseParticipants, timeoutError } from './port-errors.js';
import { toSnapshot, type Snapshot } from './snapshot.js';
import { step } from './step.js';
import type { ChannelSettings, Config, Effect, Event, MintedUrl, OpError, State, TimerId } from './types.js';

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
  /** overrides of DEFAULT_CONFIG; `useLease` follows whether `lease` is given */
  config?: Partial<Config>;
  log?: ActionLog;
  deadlines?: Partial<Deadlines>;
  /** start from this state instead of idle (tests) */
  initial?: State;
}

export class SupervisorRunner {
  readonly log: ActionLog;
  private current: State;
  private readonly opts: RunnerOptions;
  private readonly deadlines: Deadlines;
  private readonly timers = new Map<TimerId, { handle: unknown; gen: number; dueAt: number }>();
  private timerGen = 0;
  private readonly queue: Event[] = [];
  private stepping = false;
  private disposed = false;
  private readonly listeners = new Set<(snapshot: Snapshot) => void>();

  constructor(opts: RunnerOptions) {
    this.opts = opts;
    this.log = opts.log ?? new ActionLog();
    this.deadlines = { ...DEFAULT_DEADLINES, ...opts.deadlines };
    const config = makeConfig({ ...opts.config, useLease: opts.lease !== undefined });
    this.current = opts.initial ?? initialState({ config, seed: opts.random(), now: opts.clock.now() });
  }

  get state(): State {
    return this.current;
  }

  snapshot(): Snapshot {
    return toSnapshot(
      this.current,
      this.opts.clock.now(),
      this.log.counters(),
      this.timers.get('obs-reconnect')?.dueAt ?? null,
    );
  }

  /** Called after every batch of steps with the new snapshot. Returns the unsubscribe function. */
  subscribe(fn: (snapshot: Snapshot) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  goLive(channel: ChannelSettings): void {
    this.dispatch({ type: 'user-go-live', channel });
  }

  stop(): void {
    this.dispatch({ type: 'user-stop' });
  }

  retryNow(): void {
    this.dispatch({ type: 'user-retry-now' });
  }

  resume(channel: ChannelSettings): void {
    this.dispatch({ type: 'resume', channel });
  }

  /** Feeds one event (OBS events, user actions); re-entrant calls are queued behind the step in progress. */
  dispatch(event: Event): void {
    if (this.disposed) return;
    this.queue.push(event);
    if (this.stepping) return;
    this.stepping = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) this.apply(e);
    } finally {
      this.stepping = false;
    }
    const snap = this.snapshot();
    for (const fn of this.listeners) fn(snap);
  }

  /** Clears every timer and ignores all later results; the state stays readable. */
  dispose(): void {
    this.disposed = true;
    for (const { handle } of this.timers.values()) this.opts.timers.clearTimer(handle);
    this.timers.clear();
    this.queue.length = 0;
  }

  private apply(event: Event): void {
    const prev = this.current;
    const now = this.opts.clock.now();
    const { state, effects } = step(prev, event, now);
    this.current = state;
    for (const effect of effects) this.execute(effect, now);
    if (prev.kind !== state.kind) {
      const attempt = 'attempt' in state && state.attempt ? { attempt: state.attempt.n } : {};
      const ids = effects.flatMap((e) => (e.kind === 'log' && e.requestIds ? e.requestIds : []));
      const requestIds = ids.length ? { requestIds: [...new Set(ids)] } : {};
      this.append({
        at: now,
        level: 'info',
        reason: state.reason,
        message: `${prev.kind} -> ${state.kind}`,
        from: prev.kind,
        to: state.kind,
        ...attempt,
        ...requestIds,
      });
    }
  }

  private append(entry: LogEntry): void {
    this.log.append({ ...entry, state: this.current.kind });
  }

  private execute(effect: Effect, now: number): void {
    const { obs, api } = this.opts;
    const d = this.deadlines;
    switch (effect.kind) {
      case 'log': {
        const { kind: _kind, ...fields } = effect;
        return this.append({ at: now, ...fields });
      }
      case 'timer':
        return this.setTimer(effect.id, effect.ms);
      case 'cancel-timer':
        return this.clearTimer(effect.id);
      case 'obs': {
        const { request, opId } = effect;
        return this.run(
          () => obs.call(request, effect.data),
          d.obsMs,
          request,
          normalizeObsError,
          (r) =>
            r.ok
              ? { type: 'obs-result', opId, request, ok: true, data: r.value }
              : { type: 'obs-result', opId, request, ok: false, error: r.error },
        );
      }
      case 'reconnect-obs': {
        const { opId } = effect;
        return this.run(
          async () => obs.reconnect(),
          d.reconnectMs,
          'connect to OBS',
          normalizeObsError,
          (r) =>
            r.ok
              ? { type: 'obs-reconnect-result', opId, ok: true }
              : { type: 'obs-reconnect-result', opId, ok: false, error: r.error },
        );
      }
      case 'mint': {
        const { opId, channel } = effect;
        return this.run(
          async () => parseMinted(await api.mint(channel)),
          d.apiMs,
          'CreateRoomRealTimeStreamAddress',
          normalizeApiError,
          (r) =>
            r.ok
              ? { type: 'mint-result', opId, ok: true, url: r.value as MintedUrl }
              : { type: 'mint-result', opId, ok: false, error: r.error },
        );
      }
      case 'poll-participants': {
        const { opId, channel } = effect;
        return this.run(
          async () => parseParticipants(await api.participants(channel)),
          d.apiMs,
          'DescribeChannelParticipants',
          normalizeApiError,
          (r) => {
            if (!r.ok) return { type: 'participants-result', opId, ok: false, error: r.error };
            const v = r.value as { requestId: string; users: string[] };
            return { type: 'participants-result', opId, ok: true, requestId: v.requestId, users: v.users };
          },
        );
      }
      case 'lease': {
        const { opId, action } = effect;
        const lease = this.opts.lease;
        if (!lease) return;
        return this.run(
          () => lease.request(action),
          d.leaseMs,
          `lease ${action}`,
          normalizeApiError,
          (r) => {
            if (!r.ok) return { type: 'lease-result', opId, ok: false, error: r.error };
            const v = r.value as { granted: boolean; holder?: string };
            return v.holder
              ? { type: 'lease-result', opId, ok: true, granted: v.granted === true, holder: v.holder }
              : { type: 'lease-result', opId, ok: true, granted: v.granted === true };
          },
        );
      }
      case 'persist-intent': {
        const intent = this.opts.intent;
        if (!intent) return;
        return this.run(
          () => intent.save(effect.intent),
          d.intentMs,
          'save the intent',
          normalizeApiError,
          (r) => {
            if (!r.ok)
              this.append({
                at: this.opts.clock.now(),
                level: 'warn',
                reason: 'intent-save-failed',
                message: `could not save the intent with the helper: ${r.error.code} ${r.error.message}`,
              });
            return null;
          },
        );
      }
    }
  }

  /** Calls a port with a deadline; its outcome becomes an event (or nothing, when `toEvent` says null). */
  private run(
    call: () => Promise<unknown>,
    ms: number,
    what: string,
    normalize: (e: unknown) => OpError,
    toEvent: (r: { ok: true; value: unknown } | { ok: false; error: OpError }) => Event | null,
  ): void {
    let settled = false;
    const finish = (r: { ok: true; value: unknown } | { ok: false; error: OpError }) => {
      if (settled) return;
      settled = true;
      this.opts.timers.clearTimer(deadline);
      const event = toEvent(r);
      if (event && !this.disposed) this.dispatch(event);
    };
    const deadline = this.opts.timers.setTimer(() => finish({ ok: false, error: timeoutError(what, ms) }), ms);
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(call());
    } catch (e) {
      promise = Promise.reject(e);
    }
    promise.then(
      (value) => finish({ ok: true, value }),
      (e: unknown) => finish({ ok: false, error: normalize(e) }),
    );
  }

  private setTimer(id: TimerId, ms: number): void {
    this.clearTimer(id);
    const gen = ++this.timerGen;
    const handle = this.opts.timers.setTimer(() => {
      if (this.timers.get(id)?.gen !== gen) return; // replaced or cancelled meanwhile
      this.timers.delete(id);
      this.dispatch({ type: 'timer', id });
    }, ms);
    this.timers.set(id, { handle, gen, dueAt: this.opts.clock.now() + ms });
  }

  private clearTimer(id: TimerId): void {
    const t = this.timers.get(id);
    if (!t) return;
    this.opts.timers.clearTimer(t.handle);
    this.timers.delete(id);
  }
}
