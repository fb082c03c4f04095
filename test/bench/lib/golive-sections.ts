/**
 * The go-live sections of `npm run bench`: click and command in-process, and `run --sandbox --json` end to end. Each
 * takes the bench's rig; figures go to bench-context.ts.
 */
import { cliGoLive } from './processes.js';
import { BenchRig, OBS_DEFAULT_RECONNECT } from './rig.js';
import { goLiveClick, goLiveCommand, settled } from './supervised.js';
import { REPS, ch, fig, repeat } from './bench-context.js';

/** 'Go live: click (OBS connected) and command (run, in-process), to STARTED and to present' */
export async function goLiveSection(rig: BenchRig): Promise<void> {
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
}

/** 'Go live end to end: spawn `run --sandbox --json` -> {"state":"live"}' */
export async function cliSection(rig: BenchRig): Promise<void> {
  await repeat('go live (CLI)', REPS, async (i) => {
    const t = await cliGoLive(rig, `obs-cli-${i}`);
    fig('cli-sandbox', '`run --sandbox`: spawn -> its sandbox up', 'ms').samples.push(t.sandboxUp);
    fig('cli-started', '`run --sandbox`: spawn -> OBS STARTED', 'ms').samples.push(t.started);
    fig('cli-live', '`run --sandbox`: spawn -> first {"state":"live"} line', 'ms').samples.push(t.live);
  });
}
