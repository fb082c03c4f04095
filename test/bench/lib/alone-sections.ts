/**
 * The remaining sections of `npm run bench`: OBS alone with its own auto-reconnect, and helper cold start / dock size.
 * Each takes the bench's rig; figures go to bench-context.ts.
 */
import { aloneExpiredKick, aloneKick, aloneSilentRemoval } from './alone.js';
import { dockGzipBytes, helperColdStart } from './processes.js';
import { BenchRig, OBS_DEFAULT_RECONNECT, sleep } from './rig.js';
import { median } from './report.js';
import { REPS, ROOT, WINDOW_MS, ch, extra, fig, repeat } from './bench-context.js';

/** 'OBS alone (its own auto-reconnect, 2 s): kick, silent removal, expired + kick' */
export async function aloneSection(rig: BenchRig): Promise<void> {
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
}

/** 'helper cold start and RSS; dock size' */
export async function helperSection(): Promise<void> {
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
  // what a dock that went live has loaded: the supervisor's chunk comes with the first Go live or resume
  fig('dock-gzip-live', 'dock JS + CSS once live (at load + the supervisor chunk), gzip -9', 'B').samples.push(
    dock.total + dock.supervisor,
  );
}
