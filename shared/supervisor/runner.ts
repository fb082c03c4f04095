/**
 * The thin runner around `step`: it holds the state, executes effects through injected ports, keeps one timer
 * per id (a new one replaces the old), puts a deadline on every port call, and feeds every result back as an
 * event tagged with the operation id that asked for it (step ignores ids it no longer waits for). Events that
 * arrive while a step runs are queued, so steps never interleave. Clock, randomness and timers are injected:
 * the dock and the helper pass real ones, tests pass fakes.
 */
import { DEFAULT_CONFIG } from './config.js';
import { initialState } from './context.js';
import { ActionLog, type LogEntry } from './log.js';
import { timeoutError } from './port-errors.js';
import { executeEffect, type EffectHost, type Outcome, type PortCall } from './runner-effects.js';
import { DEFAULT_DEADLINES, type Deadlines, type RunnerOptions } from './runner-ports.js';
import { toSnapshot, type Snapshot } from './snapshot.js';
import { step } from './step.js';
import type { ChannelSettings, Event, State, TimerId } from './types.js';

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
  /** what the effect handlers may use */
  private readonly host: EffectHost;

  constructor(opts: RunnerOptions) {
    this.opts = opts;
    this.log = opts.log ?? new ActionLog();
    this.deadlines = { ...DEFAULT_DEADLINES, ...opts.deadlines };
    this.host = {
      opts,
      deadlines: this.deadlines,
      append: (entry) => this.append(entry),
      setTimer: (id, ms) => this.setTimer(id, ms),
      clearTimer: (id) => this.clearTimer(id),
      run: (call) => this.run(call),
    };
    // the options are the caller's to check (run: makeConfig in supervise.ts); the dock passes none, so the
    // checks stay out of its bundle
    const config = { ...DEFAULT_CONFIG, ...opts.config, useLease: opts.lease !== undefined };
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
    for (const effect of effects) executeEffect(effect, this.host, now);
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

  /** Calls a port with a deadline; its outcome becomes an event (or nothing, when `toEvent` says null). */
  private run({ call, ms, what, normalize, toEvent }: PortCall): void {
    let settled = false;
    const finish = (r: Outcome) => {
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
