/**
 * `npm run bench`: measured figures against the sandbox and a real OBS 29 (headless), the supervisor side by
 * side with OBS's own auto-reconnect. Not part of `npm test` (vitest.bench.config.ts runs it). Each figure is
 * reported as median, p90 and n; the markdown table goes to stdout and bench-results/latest.md, everything
 * (samples included) to bench-results/bench-<date>.json.
 *
 * Env: ARTC_BENCH_REPS (default 10), ARTC_BENCH_ONLY (comma-separated sections: golive, cli, kick, removal,
 * expired, alone, helper; a partial run writes its report under the temp folder, never bench-results/),
 * ARTC_BENCH_WINDOW_S (how long OBS alone is watched after a fault it cannot recover from, default 30),
 * ARTC_BENCH_HEALTHY_S (the healthy window for API calls per minute, default 120), ARTC_BENCH_NEVER_REPS (OBS alone
 * and a silent removal, watched 15 s each, default 3).
 */
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ChannelSettings } from '../../shared/api-routes.js';
import { obsAvailable } from '../helpers/obs-rig.js';
import { aloneExpiredKick, aloneKick, aloneSilentRemoval } from './lib/alone.js';
import { cliGoLive, dockGzipBytes, helperColdStart } from './lib/processes.js';
import { BenchRig, OBS_DEFAULT_RECONNECT, sleep, type Sup } from './lib/rig.js';
import { describeConditions, median, ORDER } from './lib/report.js';
import { load1, machine, withSummary, writeReport, type Figure } from './lib/stats.js';
import {
  expiredThenKick,
  goLiveClick,
  goLiveCommand,
  healthyCalls,
  kick,
  settled,
  shiftedThenKick,
  silentRemoval,
} from './lib/supervised.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPS = Number(process.env.ARTC_BENCH_REPS ?? 10);
const WINDOW_MS = Number(process.env.ARTC_BENCH_WINDOW_S ?? 30) * 1000;
const ONLY = process.env.ARTC_BENCH_ONLY?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const section = (name: string) => (!ONLY || ONLY.includes(name) ? it : it.skip);

const APP = 'benchApp';
const ch = (channelId: string, userId: string, extra: Partial<ChannelSettings> = {}): ChannelSettings => ({
  appId: APP,
  channelId,
  userId,
  displayName: `Bench ${userId}`,
  ...extra,
});

const figures = new Map<string, Figure>();
const errors: string[] = [];
const conditions: string[] = [];
const extra: Record<string, unknown> = {};
const startLoad = load1();
let rig: BenchRig;

function fig(id: string, label: string, unit: Figure['unit'], target?: string, note?: string): Figure {
  let f = figures.get(id);
  if (!f)
    figures.set(id, (f = { id, label, unit, samples: [], ...(target ? { target } : {}), ...(note ? { note } : {}) }));
  return f;
}

/** Runs `reps` repetitions; a failed one is logged, counted and followed by `reset`, and the run goes on. */
async function repeat(
  name: string,
  reps: number,
  one: (i: number) => Promise<void>,
  reset?: () => Promise<void>,
): Promise<void> {
  for (let i = 0; i < reps; i++) {
    try {
      await one(i);
    } catch (e) {
      const full = (e as Error).message;
      const msg = `${name} #${i + 1}: ${full.split('\n')[0]}`;
      errors.push(msg);
      console.log(
        `[bench] FAILED ${msg}${full.includes('\n') ? `\n${full.split('\n').slice(1).slice(-80).join('\n')}` : ''}`,
      );
      await reset?.().catch((r: unknown) => console.log(`[bench] reset failed: ${String(r)}`));
    }
  }
  console.log(`[bench] ${name}: ${reps} repetitions done (load ${load1()})`);
}

describe('bench', () => {
  beforeAll(async () => {
    if (!obsAvailable())
      throw new Error('the bench needs OBS Studio and xvfb-run (apt-get install obs-studio xvfb xauth)');
    rig = await new BenchRig().start({ reconnect: OBS_DEFAULT_RECONNECT });
    console.log(
      `[bench] OBS ${rig.obs.version.join('.')} up in ${rig.obs.startupMs} ms; sandbox ${rig.sb.endpoint}; ${REPS} repetitions; load ${startLoad}`,
    );
  }, 120_000);

  afterAll(async () => {
    await rig?.stop();
    const rank = (id: string) => (ORDER.indexOf(id) < 0 ? ORDER.length : ORDER.indexOf(id));
    const list = [...figures.values()].sort((a, b) => rank(a.id) - rank(b.id)).map(withSummary);
    conditions.push(...describeConditions(ROOT, REPS, startLoad));
    if (errors.length) conditions.push(`failed repetitions (excluded from the figures): ${errors.join('; ')}`);
    const report = {
      kind: ONLY ? ('partial' as const) : ('bench' as const),
      date: new Date().toISOString(),
      machine: machine(rig?.obs.version.join('.') ?? '?'),
      load: { start: startLoad, end: load1() },
      conditions,
      figures: list,
      extra,
    };
    // a partial run (ARTC_BENCH_ONLY) never replaces the committed results: it goes to the temp folder
    const { md, jsonPath } = writeReport(
      ONLY ? tmpdir() : ROOT,
      report,
      ONLY ? `npm run bench (partial: ${ONLY.join(', ')})` : 'npm run bench',
    );
    console.log(`\n${md}\n(JSON: ${jsonPath})`);
  }, 60_000);

  section('golive')(
    'Go live: click (OBS connected) and command (run, in-process), to STARTED and to present',
    async () => {
      const c = ch('golive', 'obs-golive');
      await rig.setObsReconnect(OBS_DEFAULT_RECONNECT);
      await repeat(
        'go live (command, in-process)',
        REPS,
        async () => {
          const t = await goLiveCommand(rig, c);
          fig(
            'golive-cmd-started',
            'Go live, `run` in-process: supervise() -> OBS STARTED',
            'ms',
            '<= 1.5 s',
            'obs-websocket connect + Identify, GetStreamStatus, Create, Set, Start',
          ).samples.push(t.started);
          fig(
            'golive-cmd-present',
            'Go live, `run` in-process: supervise() -> publisher in the channel',
            'ms',
          ).samples.push(t.present);
          fig(
            'golive-cmd-confirmed',
            'Go live, `run` in-process: supervise() -> supervisor says live',
            'ms',
            undefined,
            'its first participants poll right after STARTED',
          ).samples.push(t.confirmed);
        },
        () => rig.stopStream(),
      );
      const s = rig.supervise(c);
      try {
        await settled(s, 30_000);
        s.entries.mark();
        s.sup.runner.stop();
        await s.next((e) => e.to === 'stopped-by-user', 'stopped');
        await repeat(
          'go live (click)',
          REPS,
          async () => {
            const t = await goLiveClick(rig, s, c);
            fig(
              'golive-click-started',
              'Go live, click (OBS already connected) -> OBS STARTED',
              'ms',
              '<= 1.5 s',
              'spare URL kept from the last session: no Create on the path',
            ).samples.push(t.started);
            fig('golive-click-present', 'Go live, click -> publisher in the channel', 'ms').samples.push(t.present);
            fig('golive-click-creates', 'Go live, click: Create calls before live', 'calls').samples.push(t.creates);
          },
          async () => {
            s.sup.runner.stop();
            await rig.stopStream();
          },
        );
      } finally {
        await s.stop(true);
      }
    },
    600_000,
  );

  section('cli')(
    'Go live end to end: spawn `run --sandbox --json` -> {"state":"live"}',
    async () => {
      await repeat('go live (CLI)', REPS, async (i) => {
        const t = await cliGoLive(rig, `obs-cli-${i}`);
        fig('cli-sandbox', '`run --sandbox`: spawn -> its sandbox up', 'ms').samples.push(t.sandboxUp);
        fig('cli-started', '`run --sandbox`: spawn -> OBS STARTED', 'ms').samples.push(t.started);
        fig('cli-live', '`run --sandbox`: spawn -> first {"state":"live"} line', 'ms').samples.push(t.live);
      });
    },
    600_000,
  );

  section('kick')(
    'RTMP cut -> back: supervisor (OBS reconnect on and off), healthy API rate',
    async () => {
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
            fig(
              'kick-sup-back',
              'RTMP cut -> back, supervisor (OBS reconnect on, default)',
              'ms',
              '<= 1 s',
            ).samples.push(r.back);
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
    },
    900_000,
  );

  section('removal')(
    'Silent removal -> back, supervisor (default 5 s poll)',
    async () => {
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
            fig('removal-sup-gap', 'off-air gap, silent removal recovery: STOPPED -> STARTED', 'ms').samples.push(
              r.gap,
            );
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
    },
    900_000,
  );

  section('expired')(
    'URL expired, then RTMP cut -> back with a fresh URL, supervisor',
    async () => {
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
            fig('creates-shift', 'Create calls per recovery when the spare is refused', 'calls').samples.push(
              r.creates,
            );
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
    },
    900_000,
  );

  section('alone')(
    'OBS alone (its own auto-reconnect, 2 s): kick, silent removal, expired + kick',
    async () => {
      await rig.setObsReconnect(OBS_DEFAULT_RECONNECT);
      const c = ch('alone', 'obs-alone');
      await repeat(
        'kick (OBS alone)',
        REPS,
        async () => {
          const r = await aloneKick(rig, c);
          fig(
            'kick-alone-back',
            'RTMP cut -> back, OBS alone (auto-reconnect, RetryDelay 2 s)',
            'ms',
            'reference: 2.2 s',
          ).samples.push(r.back);
          fig('kick-alone-gap', 'off-air gap, OBS alone: RECONNECTING -> RECONNECTED', 'ms').samples.push(r.gap);
        },
        () => rig.stopStream(),
      );
      await rig.stopStream();
      const removalReps = Math.min(REPS, Number(process.env.ARTC_BENCH_NEVER_REPS ?? 3));
      const removals: Awaited<ReturnType<typeof aloneSilentRemoval>>[] = [];
      await repeat(
        'silent removal (OBS alone)',
        removalReps,
        async () => void removals.push(await aloneSilentRemoval(rig, ch('alone-rm', 'obs-alone-rm'), 15_000)),
        () => rig.stopStream(),
      );
      const backs = removals.filter((r) => r.back).length;
      const f = fig('removal-alone', 'silent removal -> back, OBS alone', 'ms');
      f.text =
        backs === 0
          ? `never: not back after 15 s in ${removals.length}/${removals.length}`
          : `back in ${backs}/${removals.length}`;
      f.note = `OBS never notices: no StreamStateChanged (${[...new Set(removals.flatMap((r) => r.states))].join(' ') || 'none'}), output active and bytes growing in ${removals.filter((r) => r.obsActive).length}/${removals.length}`;
      const expired: Awaited<ReturnType<typeof aloneExpiredKick>>[] = [];
      await repeat(
        'expired + cut (OBS alone)',
        REPS,
        async () => void expired.push(await aloneExpiredKick(rig, ch('alone-exp', 'obs-alone-exp'), WINDOW_MS)),
        () => rig.stopStream(),
      );
      extra.aloneExpired = expired;
      const back = expired.filter((r) => r.back);
      const e = fig('expired-alone', 'URL expired, then RTMP cut -> back, OBS alone', 'retries');
      e.samples.push(...expired.map((r) => r.refused));
      const tried = expired.map((r) => r.triedMs).sort((a, b) => a - b);
      e.text =
        back.length === 0
          ? `never: not back after ${WINDOW_MS / 1000} s in ${expired.length}/${expired.length}`
          : `back in ${back.length}/${expired.length} (${back.map((r) => r.backMs).join(', ')} ms)`;
      e.note = `refused publishes (OBS's retries of the expired key) per run: median ${median(expired.map((r) => r.refused))}, still trying at ${Math.round((tried[Math.floor(tried.length / 2)] ?? 0) / 100) / 10} s (median last refusal); OBS states: ${expired[0]?.states.join(' ') ?? '-'}`;
    },
    1_800_000,
  );

  section('helper')(
    'helper cold start and RSS; dock size',
    async () => {
      for (const mode of ['cloud', 'sandbox'] as const) {
        await repeat(`helper cold start (${mode})`, REPS, async () => {
          const r = await helperColdStart(mode);
          fig(
            `helper-${mode}-start`,
            `helper cold start (serve, ${mode} mode): spawn -> "Dock URL:"`,
            'ms',
            mode === 'cloud' ? '<= 150 ms' : undefined,
          ).samples.push(r.ms);
          fig(
            `helper-${mode}-rss`,
            `helper resident memory (${mode} mode, listening)`,
            'MB',
            mode === 'cloud' ? '<= 50 MB' : undefined,
          ).samples.push(r.rssMb);
        });
        await sleep(200);
      }
      const dock = dockGzipBytes(ROOT);
      extra.dock = dock;
      fig(
        'dock-gzip',
        'dock JS + CSS at load, gzip -9',
        'B',
        '<= 35 KB',
        Object.entries(dock.files)
          .map(([f, b]) => `${f.replace(/-[\w-]+\./, '.')} ${b} B`)
          .join(', '),
      ).samples.push(dock.total);
    },
    600_000,
  );
});
