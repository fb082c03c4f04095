/**
 * What the dock (and `run`) show: a flat, serialisable view of the state. The countdown is `nextTryAt - now`;
 * "Retry now" applies while `kind` is 'recovering'; Go live is locked while `locked` is true.
 */
import { isSupervising } from './context.js';
import { storming } from './effects/supervision.js';
import type { Counters } from './log.js';
import type {
  AttemptTrigger,
  ChannelSettings,
  ErrorInfo,
  OutputKnown,
  PresenceStatus,
  State,
  StateKind,
} from './types.js';

export interface Snapshot {
  /** when this snapshot was taken (ms since epoch): a countdown or an open off-air period runs on from here */
  at: number;
  kind: StateKind;
  since: number;
  reason: string;
  /** supervising: Go live is locked (until stopped-by-user, failed or idle) */
  locked: boolean;
  /** why the current attempt runs (Go live or a detection) */
  trigger: AttemptTrigger | null;
  /** tries made in this episode */
  attempt: number | null;
  /** recovering: when the next try starts (ms since epoch) */
  nextTryAt: number | null;
  lastError: ErrorInfo | null;
  /** the URL OBS is configured with: show the key masked (it holds the auth token) unless the user reveals it */
  url: { server: string; streamKey: string; expiresAt: number; requestId: string } | null;
  urlExpiresAt: number | null;
  /** expiry of the spare URL kept ready for the next restart */
  spareExpiresAt: number | null;
  presence: { status: PresenceStatus; lastSeenAt: number | null };
  /** reconnectAt: when the supervisor's next obs-websocket reconnect is due (ms since epoch), else null */
  obs: { connected: boolean; output: OutputKnown; reconnectAt: number | null };
  /** removed again and again: recoveries are being slowed down */
  storming: boolean;
  channel: ChannelSettings | null;
  /** counters, with the time off-air including a period still open */
  counters: Counters;
  /** an off-air period still open since (ms), else null */
  offAirSince: number | null;
  /** another supervisor holds this OBS's lease (its holder id) */
  supervisedBy: string | null;
}

export function toSnapshot(
  state: State,
  now: number,
  counters: Counters,
  obsReconnectAt: number | null = null,
): Snapshot {
  const { ctx } = state;
  const attempt = 'attempt' in state && state.attempt ? state.attempt : null;
  const open = ctx.offAirSince === null ? 0 : Math.max(0, now - ctx.offAirSince);
  return {
    at: now,
    kind: state.kind,
    since: state.since,
    reason: state.reason,
    locked: isSupervising(state),
    trigger: attempt?.trigger ?? null,
    attempt: attempt?.n ?? null,
    nextTryAt: state.kind === 'recovering' ? state.nextTryAt : null,
    lastError: state.kind === 'failed' ? state.why : ctx.lastError,
    url: ctx.url && {
      server: ctx.url.server,
      streamKey: ctx.url.streamKey,
      expiresAt: ctx.url.expiresAt,
      requestId: ctx.url.requestId,
    },
    urlExpiresAt: ctx.url?.expiresAt ?? null,
    spareExpiresAt: ctx.spare?.expiresAt ?? null,
    presence: { status: ctx.presence.status, lastSeenAt: ctx.presence.lastSeenAt },
    obs: {
      connected: ctx.obs.connected,
      output: ctx.obs.output,
      reconnectAt: ctx.obs.connected ? null : obsReconnectAt,
    },
    storming: storming({ now, ctx, effects: [] }),
    channel: ctx.channel,
    counters: { ...counters, offAirMs: counters.offAirMs + open },
    offAirSince: ctx.offAirSince,
    supervisedBy: ctx.lease.otherHolder ?? null,
  };
}
