/**
 * Presence: is our RTMP publisher in the ARTC channel? Polls DescribeChannelParticipants one at a time (the
 * next poll is scheduled when the previous one answers: no overlap), every 5 s jittered while live, every
 * second while confirming a fresh start or re-checking an absence, twice as slow for each consecutive
 * throttled answer. The documented
 * procedure (alibaba-api.md): if the RTMP user is not in the channel, stop ingesting and ingest again.
 * What an answer means (live, or a recovery) is decided by `confirming` and `live` (states/).
 */
import { jitter } from '../../retry-policy.js';
import { cfg, draw, emit, log, nextOp, patchCtx, requestIdsOf, timer, type Tx } from '../context.js';
import type { Event, Presence } from '../types.js';

export type Pace = 'normal' | 'fast' | 'now';
type ParticipantsResult = Extract<Event, { type: 'participants-result' }>;

export function schedulePoll(tx: Tx, pace: Pace): void {
  if (pace === 'now') return timer(tx, 'poll', 0);
  const c = cfg(tx);
  const base = pace === 'fast' ? c.confirmPollMs : c.pollIntervalMs;
  const slowed = Math.min(c.pollMaxIntervalMs, base * 2 ** tx.ctx.presence.throttled);
  timer(tx, 'poll', jitter(slowed, draw(tx), c.pollJitter));
}

/** The poll timer fired: one DescribeChannelParticipants unless one is out. */
export function pollNow<S extends { pollOp: number | null }>(tx: Tx, s: S): S {
  const channel = tx.ctx.channel;
  if (s.pollOp !== null || channel === null) return s;
  const opId = nextOp(tx);
  emit(tx, { kind: 'poll-participants', opId, channel });
  return { ...s, pollOp: opId };
}

export function setPresence(tx: Tx, patch: Partial<Presence>): Presence {
  const presence = { ...tx.ctx.presence, ...patch };
  patchCtx(tx, { presence });
  return presence;
}

/** A poll failed: presence unknown this round (throttling slows the next polls); polls again at `pace`. */
export function pollFailed(tx: Tx, e: Extract<ParticipantsResult, { ok: false }>, pace: Pace): void {
  const throttled = e.error.kind === 'throttling';
  const p = setPresence(tx, { throttled: throttled ? tx.ctx.presence.throttled + 1 : tx.ctx.presence.throttled });
  const why = throttled ? `throttled (${p.throttled} in a row): polling slower` : 'failed: presence unknown this round';
  log(
    tx,
    'warn',
    throttled ? 'poll-throttled' : 'poll-failed',
    `DescribeChannelParticipants ${why}: ${e.error.code} ${e.error.message}`,
    requestIdsOf(e.error),
  );
  schedulePoll(tx, pace);
}

/** Is our UserId in the answer? Records it when present. */
export function publisherPresent(tx: Tx, e: Extract<ParticipantsResult, { ok: true }>): boolean {
  const userId = tx.ctx.channel?.userId;
  const present = userId !== undefined && e.users.includes(userId);
  if (present) setPresence(tx, { status: 'present', lastSeenAt: tx.now, absentPolls: 0, throttled: 0 });
  return present;
}

/** Records an absence; `counts` when it is one more in a row toward a recovery. Returns the absences in a row. */
export function recordAbsent(tx: Tx, counts: boolean): number {
  const absentPolls = counts ? tx.ctx.presence.absentPolls + 1 : tx.ctx.presence.absentPolls;
  setPresence(tx, { status: 'absent', absentPolls, throttled: 0 });
  return absentPolls;
}

/** A fresh start (confirming) or an adopted stream: presence unknown until the next answer. */
export function resetPresence(tx: Tx): void {
  patchCtx(tx, { presence: { ...tx.ctx.presence, status: 'unknown', absentPolls: 0 } });
}
