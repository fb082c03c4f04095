/** What the soak reports: the counters of every runner summed, the figures, the conditions, the peak API rate. */
import type { Counters } from '../../../shared/supervisor/index.js';
import type { CountingClient, FaultRecord } from '../../helpers/chaos.js';
import { summaryTable } from '../../helpers/chaos.js';
import { GAP_MS, SLOW_MS, say, FAULTS, KINDS, type SoakKind, type Unrecovered } from './soak-settings.js';
import { load1, machine, summarize, withSummary, type Figure, type Report } from './stats.js';

/** The counters of the runners a helper restart replaced, and the current one's, summed. */
export function sumCounters(all: Counters[]): Counters {
  return all.reduce<Counters>(
    (a, c) => {
      const byReason = { ...a.recoveriesByReason };
      for (const [r, v] of Object.entries(c.recoveriesByReason))
        byReason[r as keyof typeof byReason] = (byReason[r as keyof typeof byReason] ?? 0) + (v ?? 0);
      return {
        recoveries: a.recoveries + c.recoveries,
        recoveriesByReason: byReason,
        offAirMs: a.offAirMs + c.offAirMs,
        lastRecoveryAt: c.lastRecoveryAt ?? a.lastRecoveryAt,
      };
    },
    { recoveries: 0, recoveriesByReason: {}, offAirMs: 0, lastRecoveryAt: null },
  );
}

export interface SoakOutcome {
  seed: number | string;
  elapsed: number;
  samples: number;
  availability: number;
  kindOf: SoakKind[];
  unlistedMs: number[];
  byKind: Map<SoakKind, { injected: number; recovered: number; ms: number[] }>;
  failed: Unrecovered[];
  counters: Counters;
  records: FaultRecord[];
  client: Pick<CountingClient, 'mints'>;
  peak: { max: number; at: number | null };
  calls: number[];
  unhandled: string[];
}

/** The report's figures. */
export function soakFigures({
  elapsed,
  samples,
  availability,
  kindOf,
  unlistedMs,
  byKind,
  failed,
  counters,
  records,
  client,
  peak,
  calls,
  unhandled,
}: SoakOutcome): Figure[] {
  return [
    {
      id: 'availability',
      label: 'availability (publisher listed, 250 ms samples)',
      unit: 'ms',
      samples: [],
      text: `${availability.toFixed(3)} %`,
      note: `${samples} samples over ${Math.round(elapsed / 1000)} s: one fault every ${(elapsed / FAULTS / 1000).toFixed(1)} s on average`,
    },
    {
      id: 'unlisted',
      label: 'time unlisted per fault (250 ms samples)',
      unit: 'ms',
      samples: kindOf.flatMap((_, n) => (n > 0 ? [unlistedMs[n] ?? 0] : [])),
    },
    {
      id: 'faults',
      label: 'faults injected / recovered',
      unit: 'calls',
      samples: [],
      text: `${FAULTS} / ${FAULTS - failed.length}`,
      target: 'all',
    },
    ...KINDS.filter((kind) => byKind.has(kind)).map((kind): Figure => {
      const k = byKind.get(kind)!;
      const down = summarize(kindOf.flatMap((x, n) => (x === kind ? [unlistedMs[n] ?? 0] : [])));
      return {
        id: `recover-${kind}`,
        label: `${kind}: fault -> live again (${k.recovered}/${k.injected} recovered)`,
        unit: 'ms',
        samples: k.ms,
        note: `unlisted per fault: median ${down.median} ms, max ${down.max} ms`,
      };
    }),
    {
      id: 'recoveries',
      label: 'recoveries by reason',
      unit: 'calls',
      samples: [],
      text: String(counters.recoveries),
      note: Object.entries(counters.recoveriesByReason)
        .map(([r, v]) => `${r} ${v}`)
        .join(', '),
    },
    {
      id: 'off-air',
      label: "off air in all (supervisor's counter)",
      unit: 'ms',
      samples: [],
      text: `${(counters.offAirMs / 1000).toFixed(1)} s`,
    },
    {
      id: 'creates',
      label: 'Create calls per fault',
      unit: 'calls',
      samples: records.map((r) => r.creates),
      note: `critical path: ${records.reduce((a, r) => a + r.createsCritical, 0)}, all: ${client.mints.length}`,
    },
    {
      id: 'api-peak',
      label: 'peak API rate (most requests in any 1 s)',
      unit: 'calls',
      samples: [],
      text: `${peak.max}/s`,
      note: `at ${peak.at ? new Date(peak.at).toISOString() : '-'}; mean ${((calls.length * 1000) / Math.max(1, elapsed)).toFixed(2)}/s (polls every 400 ms); limit 100/s per operation`,
    },
    {
      id: 'unhandled',
      label: 'unhandled errors',
      unit: 'calls',
      samples: [],
      text: String(unhandled.length),
      target: '0',
    },
  ];
}

/** The report's conditions: the seed, the fault order, OBS's and the supervisor's settings, what failed. */
export function soakConditions({ seed, elapsed, failed, unhandled }: SoakOutcome): string[] {
  return [
    `seed ${seed} (ARTC_CHAOS_SEED replays the fault order), ${Math.round(elapsed / 1000)} s, fault kinds drawn uniformly from ${KINDS.join(', ')}; before each fault the stream is stable (live, present on 2 polls, spare URL ready) and then left alone ${GAP_MS[0]}-${GAP_MS[1]} ms`,
    "OBS's own auto-reconnect on (its default: RetryDelay 2 s, 25 tries); supervisor: 400 ms polls, 40 s URLs, storm brake off",
    'helper restart = the runner disposed (its obs-websocket session closed, OBS left streaming) and a new one resumed from intent.json: a healthy stream must be adopted without a recovery',
    ...(failed.length ? failed.map((f) => `NOT RECOVERED #${f.n} ${f.kind}: ${f.error}`) : ['every fault recovered']),
    ...(unhandled.length ? unhandled.map((u) => `UNHANDLED: ${u.split('\n')[0]}`) : []),
  ];
}

/** The most timestamps inside any 1 s window (two pointers over sorted times). */
export function peakPerSecond(times: readonly number[]): { max: number; at: number | null } {
  let max = 0;
  let at: number | null = null;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= 1000) lo++;
    if (hi - lo + 1 > max) {
      max = hi - lo + 1;
      at = times[lo]!;
    }
  }
  return { max, at };
}

/** The end of the run on stdout: the chaos table, the slow and the unrecovered faults, the report, recovery times. */
export function saySummary({
  md,
  jsonPath,
  records,
  slow,
  failed,
  restarts,
}: {
  md: string;
  jsonPath: string;
  records: FaultRecord[];
  slow: ReadonlyArray<{ n: number; kind: string; variant: string; recoverMs: number }>;
  failed: Unrecovered[];
  restarts: ReadonlyArray<{ ms: number }>;
}): void {
  say(`chaos summary:\n${summaryTable(records)}`);
  for (const f of slow)
    say(
      `slow (> ${SLOW_MS} ms) or more than 2 tries: #${f.n} ${f.kind} [${f.variant}] ${f.recoverMs} ms (its log is in the JSON)`,
    );
  for (const f of failed)
    say(
      `NOT RECOVERED #${f.n} ${f.kind}: ${f.error}\n  log:\n    ${f.log.join('\n    ')}\n  OBS: ${f.obsStates.join(', ')}\n  sandbox:\n    ${f.sandboxLog.join('\n    ')}`,
    );
  console.log(`\n${md}\n(JSON: ${jsonPath})`);
  say(
    `recovery time over all faults: ${JSON.stringify(summarize([...records.map((r) => r.recoverMs), ...restarts.map((r) => r.ms)]))}`,
  );
}

/** The whole report: figures, conditions, and the raw outcome (faults, slow ones, restarts, counters) as extra. */
export function soakReport(
  o: SoakOutcome,
  more: {
    obsVersion: readonly number[];
    startLoad: number;
    slow: unknown[];
    restarts: Array<{ reasons: string[] }>;
    sandboxStats: unknown;
  },
): Report {
  const { seed, records, failed, unhandled, counters, peak, client } = o;
  const { obsVersion, startLoad, slow, restarts, sandboxStats } = more;
  const figures = soakFigures(o);
  const conditions = soakConditions(o);
  const restartsWithDetections = restarts.filter((r) => r.reasons.length > 0).length;
  return {
    kind: 'soak' as const,
    date: new Date().toISOString(),
    machine: machine(obsVersion.join('.')),
    load: { start: startLoad, end: load1() },
    conditions,
    figures: figures.map(withSummary),
    extra: {
      seed,
      faults: records,
      slow,
      restarts,
      restartsWithDetections,
      unrecovered: failed,
      unhandled,
      counters,
      peak,
      sandboxStats,
      creates: client.mints.length,
    },
  };
}
