/**
 * `npm run soak -- --faults N` (test/bench/soak.mjs sets ARTC_SOAK_FAULTS): a long chaos run of the supervisor
 * against the in-process sandbox and one real OBS 29 with its own auto-reconnect at OBS's default (on, 2 s).
 * Short URL expiry (40 s) and fast polls (400 ms). Faults are drawn at random from every kind the chaos test
 * injects (test/helpers/chaos-faults.ts, reused here: kick, silent removal, API 5xx bursts, throttling, expired
 * URL + kick, OBS quitting and relaunching) plus a helper restart: the runner is disposed (its obs-websocket
 * session closed, OBS left streaming) and a new one resumes from the intent persisted in intent.json.
 *
 * Reported: availability (share of 250 ms samples, taken from the sandbox's own state, in which the publisher
 * was listed in the channel), recoveries by reason, recovery time per kind, the peak API rate (most requests
 * the sandbox answered within any 1 s window), unhandled errors, and every fault not recovered with its log.
 * The run fails (after writing the report) on any unhandled error or unrecovered fault.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JsonOBSWebSocket from 'obs-websocket-js/json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../script/sandbox/index.js';
import { ObsClient } from '../../shared/obs-client.js';
import type { Config, Counters, LogEntry } from '../../shared/supervisor/index.js';
import {
  CHAOS_CONFIG,
  CHAOS_EXPIRE_S,
  chaosSeed,
  CountingClient,
  FAULT_KINDS,
  pick,
  prng,
  summaryTable,
  type FaultKind,
  type FaultRecord,
} from '../helpers/chaos.js';
import { createInjector, type Chaos } from '../helpers/chaos-faults.js';
import { obsAvailable, startObs, type ObsHandle } from '../helpers/obs-rig.js';
import { startSupervisor, type Resumable } from './lib/resumable.js';
import { load1, machine, summarize, withSummary, writeReport, type Figure } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAULTS = Number(process.env.ARTC_SOAK_FAULTS ?? 50);
const EXPIRE_S = CHAOS_EXPIRE_S;
const SAMPLE_MS = 250;
/** a recovered fault slower than this keeps its log in the report */
const SLOW_MS = 5_000;
/** healthy time before each fault, ms (uniform) */
const GAP_MS = [
  Number(process.env.ARTC_SOAK_GAP_MIN_MS ?? 500),
  Number(process.env.ARTC_SOAK_GAP_MAX_MS ?? 3_000),
] as const;
const CHANNEL = {
  appId: 'soakApp',
  channelId: 'soak-room',
  userId: 'obs-soak',
  displayName: 'Soak OBS',
  expireTime: EXPIRE_S,
};
const CONFIG: Partial<Config> = CHAOS_CONFIG;
type SoakKind = FaultKind | 'helper-restart';
const KINDS: readonly SoakKind[] = [...FAULT_KINDS, 'helper-restart'];

interface Unrecovered {
  n: number;
  kind: SoakKind;
  error: string;
  log: string[];
  obsStates: string[];
  sandboxLog: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => console.log(`[soak] ${line}`);
const hhmmss = (t: number) => new Date(t).toISOString().slice(11, 23);
const fmtEntry = (e: LogEntry) => `${hhmmss(e.at)} ${(e.state ?? '').padEnd(12)} ${e.level} ${e.reason}: ${e.message}`;

describe('soak', () => {
  const seed = chaosSeed();
  const rand = prng(seed);
  const entries: LogEntry[] = [];
  const sbLog: string[] = [];
  const runLog: string[] = [];
  const apiAt: number[] = [];
  const obsStates: Array<{ at: number; state: string }> = [];
  const unhandled: string[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(String((e as Error)?.stack ?? e));
  const startLoad = load1();
  let sb: SandboxHandle;
  let obs: ObsHandle;
  let sup: Resumable;
  let client: CountingClient;
  let configDir: string;
  /** counters of the runners already replaced by a helper restart */
  const past: Counters[] = [];
  const user = new ObsClient({
    createSocket: () => new JsonOBSWebSocket(),
    callTimeoutMs: 5_000,
    connectTimeoutMs: 10_000,
    warn: () => undefined,
  });
  user.on('StreamStateChanged', (e) =>
    obsStates.push({ at: Date.now(), state: e.outputState.replace('OBS_WEBSOCKET_OUTPUT_', '') }),
  );

  const supOpts = () => ({
    client,
    obsUrl: obs.url,
    obsPassword: obs.password,
    configDir,
    config: CONFIG,
    onEntry: (e: LogEntry) => entries.push(e),
    log: (l: string) => runLog.push(`${hhmmss(Date.now())} ${l}`),
  });

  beforeAll(async () => {
    if (!obsAvailable()) throw new Error('the soak needs OBS Studio and xvfb-run');
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    [sb, obs] = await Promise.all([
      startSandbox({
        apiPort: 0,
        rtmpPort: 0,
        log: (l) => sbLog.push(`${hhmmss(Date.now())} ${l}`),
        onEvent: (e) => e.type === 'api' && apiAt.push(Date.now()),
      }),
      // OBS's own reconnect at its defaults; keepHome: an obs-restart fault relaunches OBS on this HOME
      startObs({ reconnect: { enabled: true, retryDelaySec: 2, maxRetries: 25 }, keepHome: true }),
    ]);
    await user.connect(obs.url, obs.password);
    configDir = mkdtempSync(join(tmpdir(), 'artc-soak-'));
    client = new CountingClient({ endpoint: sb.endpoint, credentials: sb.credentials, timeoutMs: 5_000 });
    sup = await startSupervisor(supOpts(), { goLive: CHANNEL });
    client.stateOf = () => sup.runner.state.kind;
    say(
      `seed ${seed} (replay: ARTC_CHAOS_SEED=${seed}); ${FAULTS} faults; OBS ${obs.version.join('.')}; load ${startLoad}`,
    );
  }, 120_000);

  afterAll(async () => {
    await sup?.stop({ stopStream: true });
    await user.disconnect();
    const home = obs?.home;
    await obs?.stop();
    await sb?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  }, 60_000);

  it(`survives ${FAULTS} random faults`, async () => {
    const chaos: Chaos = {
      rand,
      sb: () => sb,
      obs: () => obs,
      setObs: (h) => (obs = h),
      user,
      runner: () => sup.runner,
      entries,
      client,
      channel: CHANNEL,
      shiftS: EXPIRE_S + 20,
      say,
    };
    const inj = createInjector(chaos);
    await inj.stable(45_000);

    // availability: the sandbox's own truth (no API call), sampled every 250 ms from here to the end
    const t0 = Date.now();
    let samples = 0;
    let present = 0;
    /** unlisted samples x 250 ms, charged to the fault injected last (its recovery and any tail of it) */
    const unlistedMs: number[] = [];
    let current = 0;
    const listed = () =>
      sb.stats().publishers.some((p) => p.userId === CHANNEL.userId && p.channelId === CHANNEL.channelId && p.listed);
    const sampler = setInterval(() => {
      samples += 1;
      if (listed()) present += 1;
      else unlistedMs[current] = (unlistedMs[current] ?? 0) + SAMPLE_MS;
    }, SAMPLE_MS);
    const apiFrom = apiAt.length;

    const records: FaultRecord[] = [];
    const restarts: Array<{ n: number; ms: number; reasons: string[] }> = [];
    const failed: Unrecovered[] = [];
    const slow: Array<{
      n: number;
      kind: string;
      variant: string;
      recoverMs: number;
      log: string[];
      obsStates: string[];
      sandboxLog: string[];
    }> = [];
    const byKind = new Map<SoakKind, { injected: number; recovered: number; ms: number[] }>();
    const kindOf: SoakKind[] = [];
    for (let n = 1; n <= FAULTS; n++) {
      const kind = pick(rand, KINDS);
      kindOf[n] = kind;
      // healthy time between faults, so availability means something: uniform GAP_MS[0]..GAP_MS[1]
      await sleep(GAP_MS[0] + rand() * (GAP_MS[1] - GAP_MS[0]));
      current = n;
      const k = byKind.get(kind) ?? { injected: 0, recovered: 0, ms: [] };
      byKind.set(kind, k);
      k.injected += 1;
      const mark = entries.length;
      const obsMark = obsStates.length;
      const sbMark = sbLog.length;
      try {
        if (kind === 'helper-restart') {
          const r = await helperRestart(n, mark);
          restarts.push(r);
          k.ms.push(r.ms);
        } else {
          const r = await inj.fault(n, kind);
          records.push(r);
          k.ms.push(r.recoverMs);
          // a recovery that needed more than two tries (or took long): keep its log to explain it
          if ((r.states.match(/recovering/g) ?? []).length > 1 || (r.reasons.length > 0 && r.recoverMs > SLOW_MS)) {
            slow.push({
              n,
              kind,
              variant: r.variant,
              recoverMs: r.recoverMs,
              log: entries.slice(mark).map(fmtEntry),
              obsStates: obsStates.slice(obsMark).map((x) => `${hhmmss(x.at)} ${x.state}`),
              sandboxLog: sbLog.slice(sbMark).slice(-30),
            });
          }
        }
        k.recovered += 1;
      } catch (e) {
        const error = (e as Error).message.split('\n')[0]!;
        say(`fault #${n} ${kind} NOT RECOVERED: ${error}`);
        failed.push({
          n,
          kind,
          error,
          log: entries.slice(mark).map(fmtEntry),
          obsStates: obsStates.slice(obsMark).map((s) => `${hhmmss(s.at)} ${s.state}`),
          sandboxLog: sbLog.slice(sbMark).slice(-40),
        });
        await repair();
      }
      if (n % 10 === 0)
        say(
          `${n}/${FAULTS} faults, ${failed.length} not recovered, availability so far ${((100 * present) / Math.max(1, samples)).toFixed(2)}%, load ${load1()}`,
        );
    }
    clearInterval(sampler);
    const elapsed = Date.now() - t0;

    async function helperRestart(n: number, mark: number) {
      await inj.stable();
      const t = Date.now();
      past.push(sup.runner.log.counters());
      await sup.stop({ stopStream: false }); // the helper (and its runner) goes away; OBS keeps streaming
      sup = await startSupervisor(supOpts(), { resume: true });
      await inj.stable();
      const reasons = entries.slice(mark).flatMap((e) => (e.recovery ? [e.recovery] : []));
      const adopted = entries.slice(mark).some((e) => e.reason === 'adopted');
      if (!adopted)
        throw new Error(
          `helper restart #${n}: the new runner did not adopt the stream (${reasons.join(', ') || 'no detection'})`,
        );
      return { n, ms: Date.now() - t, reasons };
    }

    /** After an unrecovered fault: the user's Stop and Go live again, on a fresh runner. */
    async function repair() {
      past.push(sup.runner.log.counters());
      await sup.stop({ stopStream: true }).catch(() => undefined);
      sb.faults.reset();
      if (user.state !== 'connected') await user.connect(obs.url, obs.password).catch(() => undefined);
      sup = await startSupervisor(supOpts(), { goLive: CHANNEL });
      await inj.stable(60_000);
    }

    // ---- report
    const counters = [...past, sup.runner.log.counters()].reduce<Counters>(
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
    const calls = apiAt.slice(apiFrom);
    const peak = peakPerSecond(calls);
    const availability = (100 * present) / Math.max(1, samples);
    const figures: Figure[] = [
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
    const conditions = [
      `seed ${seed} (ARTC_CHAOS_SEED replays the fault order), ${Math.round(elapsed / 1000)} s, fault kinds drawn uniformly from ${KINDS.join(', ')}; before each fault the stream is stable (live, present on 2 polls, spare URL ready) and then left alone ${GAP_MS[0]}-${GAP_MS[1]} ms`,
      "OBS's own auto-reconnect on (its default: RetryDelay 2 s, 25 tries); supervisor: 400 ms polls, 40 s URLs, storm brake off",
      'helper restart = the runner disposed (its obs-websocket session closed, OBS left streaming) and a new one resumed from intent.json: a healthy stream must be adopted without a recovery',
      ...(failed.length ? failed.map((f) => `NOT RECOVERED #${f.n} ${f.kind}: ${f.error}`) : ['every fault recovered']),
      ...(unhandled.length ? unhandled.map((u) => `UNHANDLED: ${u.split('\n')[0]}`) : []),
    ];
    const restartsWithDetections = restarts.filter((r) => r.reasons.length > 0).length;
    const report = {
      kind: 'soak' as const,
      date: new Date().toISOString(),
      machine: machine(obs.version.join('.')),
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
        sandboxStats: sb.stats(),
        creates: client.mints.length,
      },
    };
    const { md, jsonPath } = writeReport(ROOT, report, `npm run soak -- --faults ${FAULTS}`);
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

    expect(unhandled, 'unhandled errors').toEqual([]);
    expect(
      failed.map((f) => `#${f.n} ${f.kind}: ${f.error}`),
      'faults not recovered',
    ).toEqual([]);
  });
});

/** The most timestamps inside any 1 s window (two pointers over sorted times). */
function peakPerSecond(times: readonly number[]): { max: number; at: number | null } {
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
