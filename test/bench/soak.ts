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
import JsonOBSWebSocket from 'obs-websocket-js/json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../script/sandbox/index.js';
import { ObsClient } from '../../shared/obs-client.js';
import type { Counters, LogEntry } from '../../shared/supervisor/index.js';
import { chaosSeed, CountingClient, pick, prng, type FaultRecord } from '../helpers/chaos.js';
import { createInjector, type Chaos } from '../helpers/chaos-faults.js';
import { obsAvailable, startObs, type ObsHandle } from '../helpers/obs-rig.js';
import { startSupervisor, type Resumable } from './lib/resumable.js';
import { load1, writeReport } from './lib/stats.js';
import {
  CHANNEL,
  CONFIG,
  EXPIRE_S,
  FAULTS,
  GAP_MS,
  KINDS,
  ROOT,
  SAMPLE_MS,
  SLOW_MS,
  fmtEntry,
  hhmmss,
  say,
  sleep,
  type SoakKind,
  type Unrecovered,
} from './lib/soak-settings.js';
import { peakPerSecond, saySummary, soakReport, sumCounters, type SoakOutcome } from './lib/soak-report.js';

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
    const counters = sumCounters([...past, sup.runner.log.counters()]);
    const calls = apiAt.slice(apiFrom);
    const peak = peakPerSecond(calls);
    const availability = (100 * present) / Math.max(1, samples);
    const outcome: SoakOutcome = {
      seed,
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
    };
    const report = soakReport(outcome, {
      obsVersion: obs.version,
      startLoad,
      slow,
      restarts,
      sandboxStats: sb.stats(),
    });
    const { md, jsonPath } = writeReport(ROOT, report, `npm run soak -- --faults ${FAULTS}`);
    saySummary({ md, jsonPath, records, slow, failed, restarts });

    expect(unhandled, 'unhandled errors').toEqual([]);
    expect(
      failed.map((f) => `#${f.n} ${f.kind}: ${f.error}`),
      'faults not recovered',
    ).toEqual([]);
  });
});
