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
import { afterAll, beforeAll, describe } from 'vitest';
import { obsAvailable } from '../helpers/obs-rig.js';
import { BenchRig, OBS_DEFAULT_RECONNECT } from './lib/rig.js';
import { describeConditions, ORDER } from './lib/report.js';
import { load1, machine, withSummary, writeReport } from './lib/stats.js';

import { ONLY, REPS, ROOT, conditions, errors, extra, figures, section, startLoad } from './lib/bench-context.js';
import { goLiveSection, cliSection } from './lib/golive-sections.js';
import { kickSection, removalSection, expiredSection } from './lib/fault-sections.js';
import { aloneSection, helperSection } from './lib/alone-sections.js';

let rig: BenchRig;

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
    () => goLiveSection(rig),
    600_000,
  );

  section('cli')(
    'Go live end to end: spawn `run --sandbox --json` -> {"state":"live"}',
    () => cliSection(rig),
    600_000,
  );

  section('kick')(
    'RTMP cut -> back: supervisor (OBS reconnect on and off), healthy API rate',
    () => kickSection(rig),
    900_000,
  );

  section('removal')('Silent removal -> back, supervisor (default 5 s poll)', () => removalSection(rig), 900_000);

  section('expired')(
    'URL expired, then RTMP cut -> back with a fresh URL, supervisor',
    () => expiredSection(rig),
    900_000,
  );

  section('alone')(
    'OBS alone (its own auto-reconnect, 2 s): kick, silent removal, expired + kick',
    () => aloneSection(rig),
    1_800_000,
  );

  section('helper')('helper cold start and RSS; dock size', () => helperSection(), 600_000);
});
