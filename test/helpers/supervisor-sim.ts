/**
 * A table-driving harness for the pure supervisor: it owns a fake clock, feeds events to `step`, freezes every
 * state it passes in (step must never mutate), records effects, and answers the latest request of each kind.
 */
import { expect } from 'vitest';
import { initialState, makeConfig, step } from '../../shared/supervisor/index.js';
import type {
  ChannelSettings,
  Config,
  Effect,
  Event,
  ObsOutputState,
  ObsRequest,
  State,
  TimerId,
} from '../../shared/supervisor/index.js';

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
export const HOUR = 3_600_000;
export const CHANNEL: ChannelSettings = { appId: 'app1', channelId: 'room1', userId: 'obs-pub', displayName: 'OBS' };

type ObsEffect = Extract<Effect, { kind: 'obs' }>;
type LogEffect = Extract<Effect, { kind: 'log' }>;

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export class Sim {
  s: State;
  now = T0;
  /** every effect emitted, in order */
  readonly effects: Effect[] = [];
  /** the effects of the last `send` */
  last: Effect[] = [];
  private mintSeq = 0;

  constructor(config: Partial<Config> = {}, seed = 0.37) {
    this.s = initialState({ config: makeConfig(config), seed, now: T0 });
  }

  get kind(): State['kind'] {
    return this.s.kind;
  }

  send(event: Event): Effect[] {
    const r = step(deepFreeze(this.s), event, this.now);
    this.s = r.state;
    this.last = r.effects;
    this.effects.push(...r.effects);
    return r.effects;
  }

  advance(ms: number): this {
    this.now += ms;
    return this;
  }

  timer(id: TimerId): Effect[] {
    return this.send({ type: 'timer', id });
  }

  obsState(state: 'STARTING' | 'STARTED' | 'STOPPING' | 'STOPPED' | 'RECONNECTING' | 'RECONNECTED'): Effect[] {
    const outputState = `OBS_WEBSOCKET_OUTPUT_${state}` as ObsOutputState;
    return this.send({
      type: 'obs-stream-state',
      outputState,
      outputActive: state === 'STARTED' || state === 'RECONNECTED' || state === 'STOPPING',
    });
  }

  // ------------------------------------------------------------ finding effects

  since(mark: number): Effect[] {
    return this.effects.slice(mark);
  }

  mark(): number {
    return this.effects.length;
  }

  obsCalls(request: ObsRequest, from = 0): ObsEffect[] {
    return this.effects.slice(from).filter((e): e is ObsEffect => e.kind === 'obs' && e.request === request);
  }

  lastObs(request: ObsRequest): ObsEffect {
    const calls = this.obsCalls(request);
    const c = calls[calls.length - 1];
    if (!c) throw new Error(`no ${request} was sent`);
    return c;
  }

  lastOf<K extends Effect['kind']>(kind: K): Extract<Effect, { kind: K }> {
    const found = this.effects.filter((e) => e.kind === kind);
    const e = found[found.length - 1];
    if (!e) throw new Error(`no ${kind} effect was emitted`);
    return e as Extract<Effect, { kind: K }>;
  }

  count(kind: Effect['kind'], from = 0): number {
    return this.effects.slice(from).filter((e) => e.kind === kind).length;
  }

  logs(from = 0): LogEffect[] {
    return this.effects.slice(from).filter((e): e is LogEffect => e.kind === 'log');
  }

  timerMs(id: TimerId, effects: Effect[] = this.last): number | undefined {
    const t = effects.filter((e) => e.kind === 'timer' && e.id === id).pop() as
      Extract<Effect, { kind: 'timer' }> | undefined;
    return t?.ms;
  }

  cancelled(id: TimerId, effects: Effect[] = this.last): boolean {
    return effects.some((e) => e.kind === 'cancel-timer' && e.id === id);
  }

  // ------------------------------------------------------------ answering

  obsOk(request: ObsRequest, data?: unknown): Effect[] {
    return this.send({ type: 'obs-result', opId: this.lastObs(request).opId, request, ok: true, data });
  }

  obsFail(request: ObsRequest, status: number, message = `status ${status}`): Effect[] {
    const error = { code: String(status), message, status };
    return this.send({ type: 'obs-result', opId: this.lastObs(request).opId, request, ok: false, error });
  }

  status(active: boolean, reconnecting = false): Effect[] {
    return this.obsOk('GetStreamStatus', { outputActive: active, outputReconnecting: reconnecting });
  }

  mintOk(opId = this.lastOf('mint').opId, validMs = 10 * HOUR): Effect[] {
    this.mintSeq += 1;
    const url = {
      requestId: `req-mint-${this.mintSeq}`,
      server: 'rtmp://push.example/app',
      streamKey: `s${this.mintSeq}?auth_key=secret`,
      expiresAt: this.now + validMs,
    };
    return this.send({ type: 'mint-result', opId, ok: true, url });
  }

  mintFail(
    error: {
      code: string;
      message: string;
      kind?: string;
      retryable?: boolean;
      retryAfterMs?: number;
      requestId?: string;
    },
    opId = this.lastOf('mint').opId,
  ): Effect[] {
    return this.send({ type: 'mint-result', opId, ok: false, error });
  }

  polled(present: boolean, opId = this.lastOf('poll-participants').opId): Effect[] {
    const users = present ? ['someone', CHANNEL.userId] : ['someone'];
    return this.send({ type: 'participants-result', opId, ok: true, requestId: `req-poll-${opId}`, users });
  }

  // ------------------------------------------------------------ scripted paths

  connect(): this {
    this.send({ type: 'obs-connected' });
    return this;
  }

  /** Go live from idle with OBS connected and not streaming, up to StartStream sent. */
  toStarting(): this {
    if (!this.s.ctx.obs.connected) this.connect();
    this.send({ type: 'user-go-live', channel: CHANNEL });
    this.status(false);
    this.mintOk();
    this.obsOk('SetStreamServiceSettings');
    expect(this.kind).toBe('starting');
    return this;
  }

  /** Go live through to live (spare mint answered). */
  goLive(): this {
    this.toStarting();
    this.obsOk('StartStream');
    this.obsState('STARTING');
    this.advance(300).obsState('STARTED');
    this.advance(700).polled(true);
    expect(this.kind).toBe('live');
    if (this.s.ctx.refreshOp !== null) this.mintOk(); // the spare, minted once live
    expect(this.s.ctx.spare !== null).toBe(this.s.ctx.config.preMint);
    return this;
  }

  /** From a recovery that has its URL and OBS stopped: Set, Start, STARTED, present. */
  finishRecovery(): this {
    this.obsOk('SetStreamServiceSettings');
    this.obsOk('StartStream');
    this.obsState('STARTING');
    this.obsState('STARTED');
    this.polled(true);
    expect(this.kind).toBe('live');
    return this;
  }
}

/** Live, with no spare (a refresh mint still out), so a recovery has to mint. */
export function liveWithoutSpare(): Sim {
  return new Sim({ preMint: false }).goLive();
}
