/**
 * What the runner does for each kind of effect, as a table: log lines and timers are handled at once; every
 * port request becomes a `PortCall` (the call, its deadline, and the event its outcome turns into), which the
 * runner makes with a deadline and feeds back.
 */
import type { LogEntry } from './log.js';
import { normalizeApiError, normalizeObsError, parseMinted, parseParticipants } from './port-errors.js';
import type { Deadlines, RunnerOptions } from './runner-ports.js';
import type { Effect, Event, MintedUrl, OpError, TimerId } from './types.js';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: OpError };

/** One port call: `toEvent` says which event its outcome becomes (null: none). */
export interface PortCall {
  call: () => Promise<unknown>;
  ms: number;
  what: string;
  normalize: (e: unknown) => OpError;
  toEvent: (r: Outcome) => Event | null;
}

/** What the effect handlers need from the runner. */
export interface EffectHost {
  readonly opts: RunnerOptions;
  readonly deadlines: Deadlines;
  append(entry: LogEntry): void;
  setTimer(id: TimerId, ms: number): void;
  clearTimer(id: TimerId): void;
  run(call: PortCall): void;
}

type Handler<K extends Effect['kind']> = (effect: Extract<Effect, { kind: K }>, host: EffectHost, now: number) => void;

const EFFECT_HANDLERS: { [K in Effect['kind']]: Handler<K> } = {
  log: ({ kind: _kind, ...fields }, host, now) => host.append({ at: now, ...fields }),
  timer: (effect, host) => host.setTimer(effect.id, effect.ms),
  'cancel-timer': (effect, host) => host.clearTimer(effect.id),
  obs: (effect, host) => host.run(obsRequest(effect, host)),
  'reconnect-obs': (effect, host) => host.run(obsReconnect(effect, host)),
  mint: (effect, host) => host.run(mint(effect, host)),
  'poll-participants': (effect, host) => host.run(pollParticipants(effect, host)),
  lease: (effect, host) => {
    const call = leaseRequest(effect, host);
    if (call) host.run(call);
  },
  'persist-intent': (effect, host) => {
    const call = saveIntent(effect, host);
    if (call) host.run(call);
  },
};

/** Executes one effect through the runner. */
export function executeEffect(effect: Effect, host: EffectHost, now: number): void {
  const handler = EFFECT_HANDLERS[effect.kind] as (effect: Effect, host: EffectHost, now: number) => void;
  handler(effect, host, now);
}

type EffectOf<K extends Effect['kind']> = Extract<Effect, { kind: K }>;

function obsRequest({ request, opId, data }: EffectOf<'obs'>, host: EffectHost): PortCall {
  return {
    call: () => host.opts.obs.call(request, data),
    ms: host.deadlines.obsMs,
    what: request,
    normalize: normalizeObsError,
    toEvent: (r) =>
      r.ok
        ? { type: 'obs-result', opId, request, ok: true, data: r.value }
        : { type: 'obs-result', opId, request, ok: false, error: r.error },
  };
}

function obsReconnect({ opId }: EffectOf<'reconnect-obs'>, host: EffectHost): PortCall {
  return {
    call: async () => host.opts.obs.reconnect(),
    ms: host.deadlines.reconnectMs,
    what: 'connect to OBS',
    normalize: normalizeObsError,
    toEvent: (r) =>
      r.ok
        ? { type: 'obs-reconnect-result', opId, ok: true }
        : { type: 'obs-reconnect-result', opId, ok: false, error: r.error },
  };
}

function mint({ opId, channel }: EffectOf<'mint'>, host: EffectHost): PortCall {
  return {
    call: async () => parseMinted(await host.opts.api.mint(channel)),
    ms: host.deadlines.apiMs,
    what: 'CreateRoomRealTimeStreamAddress',
    normalize: normalizeApiError,
    toEvent: (r) =>
      r.ok
        ? { type: 'mint-result', opId, ok: true, url: r.value as MintedUrl }
        : { type: 'mint-result', opId, ok: false, error: r.error },
  };
}

function pollParticipants({ opId, channel }: EffectOf<'poll-participants'>, host: EffectHost): PortCall {
  return {
    call: async () => parseParticipants(await host.opts.api.participants(channel)),
    ms: host.deadlines.apiMs,
    what: 'DescribeChannelParticipants',
    normalize: normalizeApiError,
    toEvent: (r) => {
      if (!r.ok) return { type: 'participants-result', opId, ok: false, error: r.error };
      const v = r.value as { requestId: string; users: string[] };
      return { type: 'participants-result', opId, ok: true, requestId: v.requestId, users: v.users };
    },
  };
}

/** null without a lease port. */
function leaseRequest({ opId, action }: EffectOf<'lease'>, host: EffectHost): PortCall | null {
  const lease = host.opts.lease;
  if (!lease) return null;
  return {
    call: () => lease.request(action),
    ms: host.deadlines.leaseMs,
    what: `lease ${action}`,
    normalize: normalizeApiError,
    toEvent: (r) => {
      if (!r.ok) return { type: 'lease-result', opId, ok: false, error: r.error };
      const v = r.value as { granted: boolean; holder?: string };
      return v.holder
        ? { type: 'lease-result', opId, ok: true, granted: v.granted === true, holder: v.holder }
        : { type: 'lease-result', opId, ok: true, granted: v.granted === true };
    },
  };
}

/** null without an intent port; a failed save is a warning in the log, not an event. */
function saveIntent(effect: EffectOf<'persist-intent'>, host: EffectHost): PortCall | null {
  const intent = host.opts.intent;
  if (!intent) return null;
  return {
    call: () => intent.save(effect.intent),
    ms: host.deadlines.intentMs,
    what: 'save the intent',
    normalize: normalizeApiError,
    toEvent: (r) => {
      if (!r.ok)
        host.append({
          at: host.opts.clock.now(),
          level: 'warn',
          reason: 'intent-save-failed',
          message: `could not save the intent with the helper: ${r.error.code} ${r.error.message}`,
        });
      return null;
    },
  };
}
