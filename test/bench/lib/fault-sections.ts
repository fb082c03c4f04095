/**
 * The supervisor-recovery sections of `npm run bench`: RTMP cut, silent removal, expired URL then cut. Each takes the
 * bench's rig; figures go to bench-context.ts.
 */
import { BenchRig, OBS_DEFAULT_RECONNECT, type Sup } from './rig.js';
import { expiredThenKick, healthyCalls, kick, settled, shiftedThenKick, silentRemoval } from './supervised.js';
import { REPS, ch, extra, fig, repeat } from './bench-context.js';

/** 'RTMP cut -> back: supervisor (OBS reconnect on and off), healthy API rate' */
export async function kickSection(rig: BenchRig): Promise<void> {
  const c = ch('kick', 'obs-kick');
  await rig.setObsReconnect(OBS_DEFAULT_RECONNECT);
  let s: Sup = rig.supervise(c);
  const restart = async () => {
    await s.stop(true);
    await rig.stopStream();
    s = rig.supervise(c);
    await settled(s, 30_000);
  };
  try {
    await settled(s, 30_000);
    const healthy = await healthyCalls(rig, s, Number(process.env.ARTC_BENCH_HEALTHY_S ?? 120) * 1000);
    extra.healthyPerMinute = healthy.perMinute;
    fig(
      'api-healthy',
      'API calls per minute while healthy (default 5 s poll)',
      'calls/min',
      undefined,
      Object.entries(healthy.perMinute)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', '),
    ).samples.push(healthy.total);
    fig('poll-gap', 'participants poll interval while healthy', 'ms', undefined, '5 s +-10% jitter').samples.push(
      ...healthy.pollGaps,
    );
    await repeat(
      'kick (supervisor, OBS reconnect on)',
      REPS,
      async () => {
        const r = await kick(rig, s, c);
        fig('kick-sup-back', 'RTMP cut -> back, supervisor (OBS reconnect on, default)', 'ms', '<= 1 s').samples.push(
          r.back,
        );
        fig('kick-sup-detected', 'RTMP cut -> OBS RECONNECTING (detection)', 'ms').samples.push(r.detected);
        fig('kick-sup-gap', 'off-air gap, RTMP cut recovery: RECONNECTING -> STARTED', 'ms').samples.push(r.gap);
        fig('kick-sup-confirmed', 'RTMP cut -> supervisor says live', 'ms').samples.push(r.confirmed);
        fig(
          'creates',
          'Create calls per recovery',
          'calls',
          '1',
          'kicks and silent removals, until the spare is minted again',
        ).samples.push(r.creates);
      },
      restart,
    );
    await s.stop(true);
    await rig.setObsReconnect({ ...OBS_DEFAULT_RECONNECT, enabled: false });
    s = rig.supervise(c);
    await settled(s, 30_000);
    await repeat(
      'kick (supervisor, OBS reconnect off)',
      REPS,
      async () => {
        const r = await kick(rig, s, c);
        fig('kick-sup-off-back', 'RTMP cut -> back, supervisor (OBS reconnect off)', 'ms', '<= 1 s').samples.push(
          r.back,
        );
        fig('kick-sup-off-gap', 'off-air gap, same: STOPPED -> STARTED', 'ms').samples.push(r.gap);
        fig('creates', 'Create calls per recovery', 'calls').samples.push(r.creates);
      },
      restart,
    );
  } finally {
    await s.stop(true);
    await rig.setObsReconnect(OBS_DEFAULT_RECONNECT);
  }
}

/** 'Silent removal -> back, supervisor (default 5 s poll)' */
export async function removalSection(rig: BenchRig): Promise<void> {
  const c = ch('removal', 'obs-removal');
  let s: Sup = rig.supervise(c);
  try {
    await settled(s, 30_000);
    await repeat(
      'silent removal (supervisor)',
      REPS,
      async () => {
        const r = await silentRemoval(rig, s, c);
        fig(
          'removal-sup-back',
          'silent removal -> back, supervisor',
          'ms',
          '<= poll interval + 3 s (8 s)',
        ).samples.push(r.back);
        fig('removal-sup-detected', 'silent removal -> detected (publisher-absent)', 'ms').samples.push(r.detected);
        fig('removal-sup-polls', 'participants polls from removal to detection', 'calls').samples.push(r.polls);
        fig('removal-sup-gap', 'off-air gap, silent removal recovery: STOPPED -> STARTED', 'ms').samples.push(r.gap);
        fig('creates', 'Create calls per recovery', 'calls').samples.push(r.creates);
      },
      async () => {
        await s.stop(true);
        s = rig.supervise(c);
        await settled(s, 30_000);
      },
    );
  } finally {
    await s.stop(true);
  }
  // before 11814c8 the absence was re-checked a whole poll interval later: the same with confirmPollMs = pollIntervalMs
  const before = { confirmPollMs: 5_000 };
  s = rig.supervise(c, before);
  try {
    await settled(s, 30_000);
    await repeat(
      'silent removal (supervisor, re-check after a whole interval)',
      REPS,
      async () => {
        const r = await silentRemoval(rig, s, c);
        fig(
          'removal-sup-before',
          'silent removal -> back, absence re-checked a whole interval later (before this bench)',
          'ms',
          undefined,
          'confirmPollMs = 5 s',
        ).samples.push(r.back);
      },
      async () => {
        await s.stop(true);
        s = rig.supervise(c, before);
        await settled(s, 30_000);
      },
    );
  } finally {
    await s.stop(true);
  }
}

/** 'URL expired, then RTMP cut -> back with a fresh URL, supervisor' */
export async function expiredSection(rig: BenchRig): Promise<void> {
  // a 10 s URL, so it expires within the bench; the spare is re-minted 4 s before its own expiry
  const c = ch('expired', 'obs-expired', { expireTime: 10 });
  const config = { minUsableValidityMs: 2_000, refreshAheadMinMs: 4_000 };
  let s: Sup = rig.supervise(c, config);
  try {
    await settled(s, 30_000);
    await repeat(
      'expired + cut (supervisor)',
      REPS,
      async () => {
        const r = await expiredThenKick(rig, s, c);
        fig(
          'expired-sup-back',
          'URL expired, then RTMP cut -> back (fresh URL), supervisor',
          'ms',
          '<= 4 s',
          "10 s URLs; the spare is used, OBS's retry with the expired key is cancelled",
        ).samples.push(r.back);
        fig('expired-sup-gap', 'off-air gap, same: RECONNECTING -> STARTED', 'ms').samples.push(r.gap);
      },
      async () => {
        await s.stop(true);
        s = rig.supervise(c, config);
        await settled(s, 30_000);
      },
    );
  } finally {
    await s.stop(true);
  }
  // the cloud's clock jumps past every URL issued (default 10 h URLs): the spare the supervisor holds is refused
  // too, its try fails (STOPPED without STARTED) and the next one mints after the retry backoff (0-1 s)
  const c2 = ch('expired-shift', 'obs-expired-shift');
  s = rig.supervise(c2);
  const offset0 = rig.sb.stats().clockOffsetSeconds;
  try {
    await settled(s, 30_000);
    await repeat(
      'expired + cut, spare refused too (supervisor)',
      REPS,
      async () => {
        const r = await shiftedThenKick(rig, s, c2);
        if (r.refused < 1) throw new Error('the spare was not refused: not the case measured');
        fig(
          'expired-shift-back',
          'URL and spare expired (cloud clock +10 h), then RTMP cut -> back, supervisor',
          'ms',
          '<= 4 s',
          'the spare is refused (STOPPED), the next try after the retry backoff (0-1 s) mints',
        ).samples.push(r.back);
        fig('creates-shift', 'Create calls per recovery when the spare is refused', 'calls').samples.push(r.creates);
      },
      async () => {
        await s.stop(true);
        s = rig.supervise(c2);
        await settled(s, 30_000);
      },
    );
  } finally {
    await s.stop(true);
    rig.sb.faults.shiftClock(offset0 - rig.sb.stats().clockOffsetSeconds);
  }
}
