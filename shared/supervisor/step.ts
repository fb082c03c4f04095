/**
 * The supervisor as one pure function: `step(state, event, now) -> { state, effects }` (XState's transition
 * shape). No clock, no randomness and no I/O are read here: time is `now`, jitter comes from the PRNG seed kept
 * in the state, and everything to do is returned as data for the runner.
 *
 * The behaviour is a lookup (XState's config shape): the state's own handler for the event, else its parent's
 * (`supervising`, for the eight states in charge of OBS's stream), else the root's, else nothing changes. Each
 * state owns its timers; leaving a state cancels the ones the next state does not own, so no stale timeout fires
 * into a later attempt. Leaving `configuring` for anything but `starting` keeps its unpublished URL as the spare.
 */
import { beginTx, cancelTimer, isSupervising, type Handler, type HandlerKey, type StateNode } from './context.js';
import { keepUnpublished } from './effects/refresh.js';
import { configuring } from './states/configuring.js';
import { confirming } from './states/confirming.js';
import { connecting } from './states/connecting.js';
import { failed } from './states/failed.js';
import { idle } from './states/idle.js';
import { live } from './states/live.js';
import { minting } from './states/minting.js';
import { recovering } from './states/recovering.js';
import { root } from './states/root.js';
import { stoppedByUser } from './states/stopped-by-user.js';
import { stopping } from './states/stopping.js';
import { starting } from './states/starting.js';
import { supervising } from './states/supervising.js';
import type { Event, State, StateKind, StepResult } from './types.js';

const STATES: { readonly [K in StateKind]: StateNode<K> } = {
  idle,
  connecting,
  minting,
  configuring,
  starting,
  confirming,
  live,
  recovering,
  stopping,
  'stopped-by-user': stoppedByUser,
  failed,
};

type AnyHandler = Handler<State, HandlerKey>;
type Table = Partial<Record<HandlerKey, AnyHandler>>;

function handlerFor(s: State, key: HandlerKey): AnyHandler | undefined {
  const own = STATES[s.kind].on as Table;
  const parent = (isSupervising(s) ? supervising : {}) as Table;
  return own[key] ?? parent[key] ?? (root as Table)[key];
}

export function step(state: State, event: Event, now: number): StepResult {
  const tx = beginTx(state, now);
  const key: HandlerKey = event.type === 'timer' ? `timer:${event.id}` : event.type;
  // the handler found under `key` is the one written for this event's type (and this state's kind): the table's
  // types guarantee it per entry; TypeScript cannot follow the lookup, hence the cast
  const next = handlerFor(state, key)?.(tx, state, event as never) ?? state;
  if (next.kind !== state.kind) {
    // a URL set into OBS but never started is kept for the next try (whatever ended this one)
    if (state.kind === 'configuring' && next.kind !== 'starting') keepUnpublished(tx, state.url);
    const owned = STATES[next.kind].owns;
    for (const id of STATES[state.kind].owns) if (!owned.includes(id)) cancelTimer(tx, id);
  }
  return { state: { ...next, ctx: tx.ctx }, effects: tx.effects };
}
