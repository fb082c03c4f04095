/**
 * Measurements with the supervisor in charge (in-process, wired as `run` wires it). Each function is one
 * repetition and returns its timings in ms from the command or the fault; the caller collects them.
 */
import type { ChannelSettings } from '../../../shared/api-routes.js';
import type { UserRef } from '../../../script/sandbox/index.js';
import type { Config } from '../../../shared/supervisor/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { S, sleep, type BenchRig, type Sup } from './rig.js';

/** a recovery slower than this prints its log (it still counts in the figures) */
const SLOW_MS = 10_000;

export const ref = (c: ChannelSettings): UserRef => ({ appId: c.appId, channelId: c.channelId, userId: c.userId });

function markAll(rig: BenchRig, s?: Sup): void {
  rig.obsEvents.mark();
  rig.sbEvents.mark();
  s?.entries.mark();
}

/** live, the spare minted and no mint in flight: a recovery from here is the steady-state one */
export async function settled(s: Sup, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    () => {
      const st = s.sup.runner.state;
      return (
        st.kind === 'live' && st.ctx.spare !== null && st.ctx.refreshOp === null && st.ctx.presence.status === 'present'
      );
    },
    { what: 'live with a spare URL', timeoutMs, intervalMs: 20 },
  );
}

export interface GoLiveTimes {
  started: number;
  present: number;
  confirmed: number;
  creates: number;
}

/** `run`'s path: a new supervisor (it connects to obs-websocket first) -> STARTED, present, live. Stops after. */
export async function goLiveCommand(
  rig: BenchRig,
  channel: ChannelSettings,
  config: Partial<Config> = {},
): Promise<GoLiveTimes> {
  await rig.idle();
  markAll(rig);
  const c0 = rig.creates();
  const t0 = Date.now();
  const s = rig.supervise(channel, config);
  try {
    const started = await rig.nextState([S.STARTED]);
    const present = await rig.nextAccepted(channel.userId);
    const live = await s.next((e) => e.to === 'live', 'live');
    const creates = rig.creates() - c0;
    return { started: started.at - t0, present: present.at - t0, confirmed: live.at - t0, creates };
  } finally {
    await s.stop(true);
    await rig.idle();
  }
}

/** The dock's path: the supervisor is already connected to OBS (stopped-by-user); Go live pressed. */
export async function goLiveClick(rig: BenchRig, s: Sup, channel: ChannelSettings): Promise<GoLiveTimes> {
  await rig.idle();
  await sleep(300);
  markAll(rig, s);
  const c0 = rig.creates();
  const t0 = Date.now();
  s.sup.runner.goLive(channel);
  const started = await rig.nextState([S.STARTED]);
  const present = await rig.nextAccepted(channel.userId);
  const live = await s.next((e) => e.to === 'live', 'live');
  const creates = rig.creates() - c0;
  s.entries.mark();
  s.sup.runner.stop();
  await s.next((e) => e.to === 'stopped-by-user', 'stopped-by-user');
  return { started: started.at - t0, present: present.at - t0, confirmed: live.at - t0, creates };
}

export interface RecoveryTimes {
  /** fault -> first OBS reaction (RECONNECTING/STOPPED) or the supervisor's detection */
  detected: number;
  /** OBS off air: STOPPED or RECONNECTING -> STARTED */
  gap: number;
  /** fault -> the publisher listed again */
  back: number;
  /** fault -> the supervisor says live (presence confirmed by its own poll) */
  confirmed: number;
  /** CreateRoomRealTimeStreamAddress calls from the fault until the spare is minted again */
  creates: number;
  recovery: string;
}

/** When OBS first reacted (any StreamStateChanged) at or after t0. */
function firstObsAfter(rig: BenchRig, t0: number): number {
  return rig.obsEvents.entries.find((e) => e.at >= t0)?.at ?? Date.now();
}

/** Waits for the recovery that follows a fault at t0, until the spare is minted again. */
async function recovery(
  rig: BenchRig,
  s: Sup,
  channel: ChannelSettings,
  t0: number,
  c0: number,
  detectionAt: () => Promise<number>,
): Promise<RecoveryTimes> {
  try {
    const r = await recoveryOf(rig, s, channel, t0, c0, detectionAt);
    if (r.back > SLOW_MS)
      console.log(`[bench] slow recovery (${r.back} ms), kept in the figures:\n${explain(rig, s, t0)}`);
    return r;
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${explain(rig, s, t0)}`);
  }
}

/** The supervisor's log, OBS's states and the sandbox's log since t0: attached to a failed repetition. */
export function explain(rig: BenchRig, s: Sup, t0: number): string {
  const hh = (t: number) => new Date(t).toISOString().slice(11, 23);
  const sup = s.entries.entries
    .filter((e) => e.at >= t0 - 50)
    .map(
      (e) =>
        `  ${hh(e.event.at)} ${(e.event.state ?? '').padEnd(12)} ${e.event.level} ${e.event.reason}: ${e.event.message}`,
    );
  const obs = rig.obsEvents.entries
    .filter((e) => e.at >= t0 - 50)
    .map((e) => `${hh(e.at)} ${e.event.outputState.replace('OBS_WEBSOCKET_OUTPUT_', '')}`);
  const since = new Date(t0 - 50).toISOString();
  const sb = rig.sbLog.filter((l) => l >= since).slice(-20);
  return [
    `supervisor log:`,
    ...sup.slice(-60),
    `OBS: ${obs.join(', ')}`,
    'sandbox:',
    ...sb.map((l) => `  ${l}`),
    ...rig.warnings.slice(-5).map((w) => `warning: ${w}`),
  ].join('\n');
}

async function recoveryOf(
  rig: BenchRig,
  s: Sup,
  channel: ChannelSettings,
  t0: number,
  c0: number,
  detectionAt: () => Promise<number>,
): Promise<RecoveryTimes> {
  const det = await s.next((e) => e.recovery !== undefined, 'a recovery', 30_000);
  const detected = await detectionAt();
  const off = await rig.nextState([S.RECONNECTING, S.STOPPED]);
  const started = await rig.nextState([S.STARTED]);
  const back = await rig.nextAccepted(channel.userId);
  const live = await s.next((e) => e.to === 'live', 'live again', 30_000);
  await settled(s);
  return {
    detected: detected - t0,
    gap: started.at - off.at,
    back: back.at - t0,
    confirmed: live.at - t0,
    creates: rig.creates() - c0,
    recovery: det.event.recovery ?? '?',
  };
}

/** RTMP cut: the sandbox closes the publisher's session (it leaves the channel at once). */
export async function kick(rig: BenchRig, s: Sup, channel: ChannelSettings): Promise<RecoveryTimes> {
  await settled(s);
  await sleep(500);
  markAll(rig, s);
  const c0 = rig.creates();
  const t0 = Date.now();
  if (rig.sb.faults.kick(ref(channel)) !== 1) throw new Error('kick: no live session');
  return recovery(rig, s, channel, t0, c0, async () => firstObsAfter(rig, t0));
}

/** Silent removal: unlisted while the RTMP session stays up; only the participants poll can notice. */
export async function silentRemoval(
  rig: BenchRig,
  s: Sup,
  channel: ChannelSettings,
): Promise<RecoveryTimes & { polls: number }> {
  await settled(s);
  // start at a random phase of the poll cycle, as a real removal would
  await sleep(200 + Math.random() * s.sup.runner.state.ctx.config.pollIntervalMs);
  await settled(s);
  markAll(rig, s);
  const c0 = rig.creates();
  const calls0 = rig.apiCalls.length;
  const t0 = Date.now();
  if (rig.sb.faults.remove(ref(channel)) !== 1) throw new Error('remove: nobody listed');
  const entries = s.entries;
  const r = await recovery(
    rig,
    s,
    channel,
    t0,
    c0,
    async () => entries.entries.find((e) => e.at >= t0 && e.event.recovery !== undefined)!.at,
  );
  const polls = rig.apiCalls
    .slice(calls0)
    .filter((c) => c.action === 'DescribeChannelParticipants' && c.at <= t0 + r.detected).length;
  return { ...r, polls };
}

/**
 * The URL OBS uses expires (real time: short ExpireTime), then the RTMP is cut: OBS's own retry would present
 * the expired key; the supervisor takes over with its spare.
 */
export async function expiredThenKick(
  rig: BenchRig,
  s: Sup,
  channel: ChannelSettings,
): Promise<RecoveryTimes & { waitedMs: number }> {
  await settled(s, 30_000);
  const url = s.sup.runner.state.ctx.url;
  if (!url) throw new Error('no current URL');
  // the sandbox's expiry is the auth_key timestamp (whole seconds) + 1 s: up to 1 s after ours
  const expiredAt = url.expiresAt + 1_100;
  const w0 = Date.now();
  while (Date.now() < expiredAt) await sleep(Math.min(200, expiredAt - Date.now()));
  await settled(s, 30_000);
  markAll(rig, s);
  const c0 = rig.creates();
  const t0 = Date.now();
  if (rig.sb.faults.kick(ref(channel)) !== 1) throw new Error('kick: no live session');
  const r = await recovery(rig, s, channel, t0, c0, async () => firstObsAfter(rig, t0));
  return { ...r, waitedMs: t0 - w0 };
}

/** Healthy stream: API calls of both operations over `ms`, and the intervals between participants polls. */
export async function healthyCalls(
  rig: BenchRig,
  s: Sup,
  ms: number,
): Promise<{ perMinute: Record<string, number>; pollGaps: number[]; total: number }> {
  await settled(s);
  const from = Date.now();
  const i0 = rig.apiCalls.length;
  await sleep(ms);
  const calls = rig.apiCalls.slice(i0).filter((c) => c.at >= from);
  const perMinute: Record<string, number> = {};
  for (const c of calls) perMinute[c.action] = (perMinute[c.action] ?? 0) + 60_000 / ms;
  const polls = calls.filter((c) => c.action === 'DescribeChannelParticipants').map((c) => c.at);
  const pollGaps = polls.slice(1).map((t, i) => t - polls[i]!);
  return { perMinute, pollGaps, total: (calls.length * 60_000) / ms };
}

/**
 * The cloud's clock jumps past every URL issued so far (current and spare), then the RTMP is cut: the supervisor's
 * spare looks valid by its own clock but is refused; the failed try is followed by a fresh Create.
 */
export async function shiftedThenKick(
  rig: BenchRig,
  s: Sup,
  channel: ChannelSettings,
): Promise<RecoveryTimes & { refused: number }> {
  await settled(s, 30_000);
  await sleep(500);
  // forward only (the caller undoes the total): a spare minted during an earlier shift must be expired too
  const shift = (channel.expireTime ?? 36_000) + 5;
  markAll(rig, s);
  const c0 = rig.creates();
  rig.sb.faults.shiftClock(shift);
  {
    const t0 = Date.now();
    if (rig.sb.faults.kick(ref(channel)) !== 1) throw new Error('kick: no live session');
    const det = await s.next((e) => e.recovery !== undefined, 'a recovery', 30_000);
    const back = await rig.nextAccepted(channel.userId, 30_000);
    const live = await s.next((e) => e.to === 'live', 'live again', 30_000);
    await settled(s);
    const refused = rig.sbEvents.sinceMark().filter((e) => e.type === 'publish-rejected').length;
    return {
      detected: firstObsAfter(rig, t0) - t0,
      gap: NaN,
      back: back.at - t0,
      confirmed: live.at - t0,
      creates: rig.creates() - c0,
      recovery: det.event.recovery ?? '?',
      refused,
    };
  }
}
