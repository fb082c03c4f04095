/**
 * The same OBS with no supervisor at all: only OBS's own auto-reconnect (Settings > Advanced > Network), as a
 * user without artc-ingest has it. The stream is started by hand (mint, rtmp_custom, StartStream).
 */
import type { ChannelSettings } from '../../../shared/api-routes.js';
import { waitFor } from '../../helpers/wait-for.js';
import { S, short, sleep, type BenchRig } from './rig.js';
import { ref } from './supervised.js';

export interface AloneKick {
  /** kick -> RECONNECTING */
  detected: number;
  /** RECONNECTING -> RECONNECTED */
  gap: number;
  /** kick -> the publisher listed again */
  back: number;
}

/** Kick while OBS alone streams; it reconnects to the same (valid) URL by itself. */
export async function aloneKick(rig: BenchRig, channel: ChannelSettings): Promise<AloneKick> {
  const st = await rig.observer.call('GetStreamStatus');
  if (!st.outputActive || st.outputReconnecting || !rig.listed(channel.appId, channel.channelId, channel.userId))
    await rig.manualGoLive(channel);
  await sleep(800);
  rig.obsEvents.mark();
  rig.sbEvents.mark();
  const t0 = Date.now();
  if (rig.sb.faults.kick(ref(channel)) !== 1) throw new Error('kick: no live session');
  const off = await rig.nextState([S.RECONNECTING, S.STOPPED]);
  if (off.event.outputState !== S.RECONNECTING)
    throw new Error('OBS stopped instead of reconnecting: is its auto-reconnect on?');
  const back = await rig.nextAccepted(channel.userId, 60_000);
  const on = await rig.nextState([S.RECONNECTED, S.STARTED], 10_000);
  return { detected: off.at - t0, gap: on.at - off.at, back: back.at - t0 };
}

export interface AloneNever {
  back: boolean;
  windowMs: number;
  /** what OBS reported meanwhile */
  states: string[];
  obsActive: boolean;
}

/** Silent removal with OBS alone: OBS keeps pushing bytes and never learns it is out of the channel. */
export async function aloneSilentRemoval(
  rig: BenchRig,
  channel: ChannelSettings,
  windowMs: number,
): Promise<AloneNever> {
  const st = await rig.observer.call('GetStreamStatus');
  if (!st.outputActive || st.outputReconnecting) await rig.manualGoLive(channel);
  rig.obsEvents.mark();
  rig.sbEvents.mark();
  if (rig.sb.faults.remove(ref(channel)) !== 1) throw new Error('remove: nobody listed');
  const before = await rig.observer.call('GetStreamStatus');
  await sleep(windowMs);
  const after = await rig.observer.call('GetStreamStatus');
  const back = rig.listed(channel.appId, channel.channelId, channel.userId);
  const result = {
    back,
    windowMs,
    states: rig.obsEvents.sinceMark().map((e) => short(e.outputState)),
    obsActive: after.outputActive && after.outputBytes > before.outputBytes,
  };
  await rig.stopStream();
  return result;
}

export interface AloneExpired {
  back: boolean;
  /** kick -> the publisher listed again, when it came back within the window */
  backMs?: number;
  windowMs: number;
  /** publishes the ingest refused (expired key) within the window: OBS's retries that reached the ingest */
  refused: number;
  reconnecting: number;
  /** first refusal -> last refusal: how long OBS kept trying within the window */
  triedMs: number;
  states: string[];
}

/**
 * The URL OBS streams with expires (the cloud's clock moved past it), then the RTMP is cut: OBS retries the same
 * expired key until its MaxRetries; every publish is refused. Observed for `windowMs`, then stopped.
 */
export async function aloneExpiredKick(
  rig: BenchRig,
  channel: ChannelSettings,
  windowMs: number,
): Promise<AloneExpired> {
  await rig.stopStream();
  await rig.manualGoLive(channel);
  await sleep(800);
  const shift = (channel.expireTime ?? 36_000) + 5;
  rig.sb.faults.shiftClock(shift);
  try {
    rig.obsEvents.mark();
    rig.sbEvents.mark();
    const t0 = Date.now();
    if (rig.sb.faults.kick(ref(channel)) !== 1) throw new Error('kick: no live session');
    let backAt: number | undefined;
    await waitFor(
      () => {
        backAt ??= rig.sbEvents.sinceMark().some((e) => e.type === 'publish-accepted' && e.userId === channel.userId)
          ? Date.now()
          : undefined;
        return backAt !== undefined;
      },
      { what: 'back', timeoutMs: windowMs, intervalMs: 50 },
    ).catch(() => undefined);
    const refusals = rig.sbEvents.entries.filter((e) => e.at >= t0 && e.event.type === 'publish-rejected');
    const states = rig.obsEvents.sinceMark().map((e) => short(e.outputState));
    return {
      back: backAt !== undefined,
      ...(backAt !== undefined ? { backMs: backAt - t0 } : {}),
      windowMs,
      refused: refusals.length,
      reconnecting: states.filter((x) => x === 'RECONNECTING').length,
      triedMs: refusals.length ? refusals[refusals.length - 1]!.at - t0 : 0,
      states,
    };
  } finally {
    await rig.stopStream();
    rig.sb.faults.shiftClock(-shift);
  }
}
