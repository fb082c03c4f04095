/**
 * Chaos test of the supervisor: the in-process sandbox cloud, one real OBS 29 (headless, its own auto-reconnect
 * off except in the last segment) and the supervisor assembled exactly as `run` assembles it (`supervise()`:
 * the shared SupervisorRunner, `cloudPort(LiveApiClient)`, `nodeObs`, the helper lease), with fast settings.
 * At least 50 faults, at least 5 of each kind, in a seeded random order (ARTC_CHAOS_SEED replays a run):
 *   kick                RTMP session closed by the cloud
 *   silent-removal      unlisted while the RTMP stays up (only polling can see it)
 *   api-5xx             500/503 bursts on DescribeChannelParticipants, Create or both, with a kick
 *   throttling          Throttling.User (400, x-acs-retry-after) during live polling or during a recovery
 *   expired-then-kick   the cloud's clock jumps past the URL's and the spare's expiry (cumulative), then a kick
 *   obs-restart         OBS itself quits (SIGTERM at once, or SIGINT: a clean quit with ExitStarted) and is
 *                       relaunched on the same HOME and port: the supervisor's obs-websocket session ends and
 *                       comes back, as when the user restarts OBS; sometimes in the middle of a recovery
 * Between the faults the user's Stop, from OBS (another obs-websocket client's StopStream, as OBS's button) and
 * from the dock (runner.stop()), while live and in the middle of recoveries: supervision must end and OBS stay
 * stopped; then Go live again. Per fault: detections, time to live again, Create calls. Timings are printed only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JsonOBSWebSocket from 'obs-websocket-js/json';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../script/sandbox/index.js';
import { supervise, type Supervision } from '../../script/run/supervise.js';
import { ObsClient, type StreamStateChanged } from '../../shared/obs-client.js';
import type { Config, LogEntry } from '../../shared/supervisor/index.js';
import { describeObsSkip, startObs, type ObsHandle } from '../helpers/obs-rig.js';
import { isAlive } from '../helpers/proc-tree.js';
import {
  CHAOS_CONFIG,
  CHAOS_EXPIRE_S,
  chaosSeed,
  CountingClient,
  planSteps,
  prng,
  summaryTable,
  type FaultKind,
  type FaultRecord,
  type Step,
  type StopRecord,
} from '../helpers/chaos.js';
import { createInjector, type Chaos } from '../helpers/chaos-faults.js';

const APP = 'chaosApp';
const CH = 'chaos-room';
const USER = 'obs-chaos';
/** short-lived URLs: the spare is re-minted every ~20 s, and an expiry is a clock shift away */
const EXPIRE_S = CHAOS_EXPIRE_S;
const CHANNEL = { appId: APP, channelId: CH, userId: USER, displayName: 'Chaos OBS', expireTime: EXPIRE_S };
const CONFIG: Partial<Config> = CHAOS_CONFIG;
/** main, shuffled: 45 faults; then 5 more with OBS's own auto-reconnect on (RetryDelay 1 s) */
const COUNTS: Record<FaultKind, number> = {
  kick: 7,
  'silent-removal': 8,
  'api-5xx': 8,
  throttling: 8,
  'expired-then-kick': 7,
  'obs-restart': 7,
};
const RECONNECT_SEGMENT: FaultKind[] = ['kick', 'kick', 'expired-then-kick', 'kick', 'silent-removal'];
/** what may be detected for each kind (the first is what is expected) */
const REASONS: Record<FaultKind, string[]> = {
  kick: ['obs-stopped', 'obs-reconnecting', 'publisher-absent'],
  'silent-removal': ['publisher-absent'],
  'api-5xx': ['obs-stopped', 'obs-reconnecting', 'publisher-absent'],
  throttling: ['obs-stopped', 'obs-reconnecting', 'publisher-absent'],
  'expired-then-kick': ['obs-stopped', 'obs-reconnecting', 'publisher-absent'],
  'obs-restart': ['obs-reconnected-not-streaming', 'obs-stopped', 'obs-reconnecting'],
};
const CLIENT_MAX_ATTEMPTS = 4; // LiveApiClient's default: one Create call is up to 4 HTTP requests

const say = (line: string) => console.log(`[chaos] ${line}`);

describeObsSkip('chaos: the supervisor against the sandbox and real OBS', () => {
  const seed = chaosSeed();
  const rand = prng(seed);
  const entries: LogEntry[] = [];
  const sbLog: string[] = [];
  const runLog: string[] = [];
  const obsEvents: Array<{ at: number; state: string }> = [];
  const supObs: Array<{ at: number; output: string }> = [];
  const unhandled: unknown[] = [];
  let failed = false;
  const onUnhandled = (e: unknown) => unhandled.push(e);
  let sb: SandboxHandle;
  let obs: ObsHandle;
  /** every OBS launched (one per relaunch), for the leak check */
  const launched: ObsHandle[] = [];
  let sup: Supervision;
  let client: CountingClient;
  let configDir: string;
  const user = new ObsClient({
    createSocket: () => new JsonOBSWebSocket(),
    callTimeoutMs: 5_000,
    connectTimeoutMs: 10_000,
    warn: () => undefined,
  });
  user.on('StreamStateChanged', (e: StreamStateChanged) =>
    obsEvents.push({ at: Date.now(), state: e.outputState.replace('OBS_WEBSOCKET_OUTPUT_', '') }),
  );

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    say(`seed ${seed} (replay: ARTC_CHAOS_SEED=${seed})`);
    [sb, obs] = await Promise.all([
      startSandbox({ apiPort: 0, rtmpPort: 0, log: (l) => sbLog.push(`${new Date().toISOString()} ${l}`) }),
      // keepHome: each obs-restart relaunches OBS on this HOME (removed in afterAll)
      startObs({ reconnect: { enabled: false, retryDelaySec: 1, maxRetries: 5 }, keepHome: true }),
    ]);
    launched.push(obs);
    await user.connect(obs.url, obs.password);
    configDir = mkdtempSync(join(tmpdir(), 'artc-chaos-'));
    client = new CountingClient({ endpoint: sb.endpoint, credentials: sb.credentials, timeoutMs: 5_000 });
    sup = supervise({
      channel: CHANNEL,
      client,
      obsUrl: obs.url,
      obsPassword: obs.password,
      configDir,
      config: CONFIG,
      onEntry: (e) => entries.push(e),
      log: (l) => runLog.push(l),
    });
    client.stateOf = () => sup.runner.state.kind;
    // when the supervisor's own session learnt each OBS output state (vs obsEvents: the user's session), for the log
    let output = '';
    sup.runner.subscribe(
      (snap) => snap.obs.output !== output && supObs.push({ at: Date.now(), output: (output = snap.obs.output) }),
    );
    say(`OBS ${obs.version.join('.')} up in ${obs.startupMs} ms; sandbox ${sb.endpoint}, RTMP ${sb.rtmpPort}`);
  }, 90_000);

  afterAll(async () => {
    // everything seen, one JSON object per line, for a post-mortem: to ARTC_CHAOS_LOG=<file>, or to a temp file on failure
    const dump =
      process.env.ARTC_CHAOS_LOG || (failed ? join(tmpdir(), `artc-chaos-${seed}-${process.pid}.jsonl`) : undefined);
    if (dump) {
      const lines = [
        ...entries.map((e) => ({ src: 'supervisor', ...e })),
        ...(client?.mints ?? []).map((m) => ({ src: 'create', ...m })),
        ...obsEvents.map((e) => ({ src: 'obs', ...e })),
        ...supObs.map((e) => ({ src: 'supervisor-obs', ...e })),
        ...sbLog.map((l) => ({ src: 'sandbox', at: Date.parse(l.slice(0, 24)), line: l.slice(25) })),
      ].sort((a, b) => a.at - b.at);
      writeFileSync(dump, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      say(`log written to ${dump}`);
    }
    await sup?.stop({ stopStream: true });
    await user.disconnect();
    const home = obs?.home;
    await obs?.stop();
    await sb?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    for (const h of launched)
      for (const pid of [h.pid, h.wrapperPid, h.xvfbPid])
        if (pid !== undefined) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  }, 60_000);

  it("recovers 50 faults of six kinds, one recovery and at most 2 Create calls each, and never fights the user's Stop", async () => {
    const started = Date.now();
    onTestFailed(() => {
      failed = true;
      say(
        `action log tail:\n  ${entries
          .slice(-60)
          .map(
            (e) =>
              `${new Date(e.at).toISOString().slice(11, 23)} ${e.state ?? ''} ${e.level} ${e.reason}: ${e.message}`,
          )
          .join('\n  ')}`,
      );
      say(
        `OBS states: ${obsEvents
          .slice(-40)
          .map((e) => `${new Date(e.at).toISOString().slice(17, 23)} ${e.state}`)
          .join(', ')}`,
      );
      say(`sandbox log tail:\n  ${sbLog.slice(-30).join('\n  ')}`);
      say(`run log: ${runLog.slice(-10).join(' | ')}`);
      say(`OBS log tail:\n${obs?.readLog().split('\n').slice(-25).join('\n')}`);
    });
    const chaos: Chaos = {
      rand,
      sb: () => sb,
      obs: () => obs,
      setObs: (h) => launched.push((obs = h)),
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
    say(`live after Go live in ${Date.now() - started} ms`);

    const records: FaultRecord[] = [];
    const stops: StopRecord[] = [];
    const runStep = async (s: Step) => {
      if (s.type === 'stop') stops.push(await inj.userStop(s.mode));
      else records.push(await inj.fault(records.length + 1, s.kind));
    };
    for (const s of planSteps(rand, COUNTS)) await runStep(s);

    // OBS's own auto-reconnect on, short RetryDelay: the supervisor must take over its RECONNECTING at once.
    // OBS reads the setting at StartStream: a Stop and Go live applies it.
    await inj.setObsReconnect(true);
    stops.push(await inj.userStop('dock-live'));
    inj.reconnectOn = true;
    for (const kind of RECONNECT_SEGMENT) await runStep({ type: 'fault', kind });
    await inj.setObsReconnect(false);
    const elapsed = Date.now() - started;

    // ---- report
    const counters = sup.runner.log.counters();
    const stats = sb.stats();
    say(
      `faults:\n  ${records.map((r) => `#${r.n} ${r.kind} [${r.variant}] ${r.recoverMs} ms, ${r.reasons.join('+') || 'no recovery'}, Create ${r.creates} (ok ${r.createsOk}, critical ${r.createsCritical}, HTTP ${r.createHttp}): ${r.states}`).join('\n  ')}`,
    );
    say(`summary (${records.length} faults, seed ${seed}, ${Math.round(elapsed / 1000)} s):\n${summaryTable(records)}`);
    say(
      `user stops:\n  ${stops.map((s) => `${s.mode.padEnd(24)} pressed while ${s.stateAtStop.padEnd(12)} -> stopped-by-user ${s.toStoppedMs} ms${s.reasons.length ? ` (detections: ${s.reasons.join(', ')})` : ''}`).join('\n  ')}`,
    );
    say(
      `ActionLog counters: recoveries ${counters.recoveries} ${JSON.stringify(counters.recoveriesByReason)}, off air ${(counters.offAirMs / 1000).toFixed(1)} s`,
    );
    const creates = client.mints;
    say(
      `Create calls by the supervisor: ${creates.length} (${creates.filter((m) => m.ok).length} ok; critical path ${creates.filter((m) => m.state === 'minting').length}, spare ${creates.filter((m) => m.state === 'live').length}); sandbox HTTP calls ${JSON.stringify(stats.calls)}`,
    );
    say(
      `sandbox publishes: accepted ${stats.publishes.accepted}, rejected ${JSON.stringify(stats.publishes.rejected)}, ended ${JSON.stringify(stats.publishes.ended)}`,
    );

    // ---- assertions
    expect(unhandled, 'unhandled rejections or exceptions').toEqual([]);
    expect(records.length).toBeGreaterThanOrEqual(50);
    for (const kind of Object.keys(COUNTS) as FaultKind[])
      expect(records.filter((r) => r.kind === kind).length, kind).toBeGreaterThanOrEqual(5);
    for (const r of records) {
      const where = `fault #${r.n} ${r.kind} [${r.variant}] (${r.states})`;
      // one detection per fault (none for throttled live polling: no reason to restart); a relaunch of OBS in the
      // middle of a recovery may come after that recovery went live: a second one
      expect(r.reasons.length, `${where}: detections ${r.reasons.join(', ')}`).toBeGreaterThanOrEqual(r.expected[0]);
      expect(r.reasons.length, `${where}: detections ${r.reasons.join(', ')}`).toBeLessThanOrEqual(r.expected[1]);
      for (const why of r.reasons) expect(REASONS[r.kind], `${where}: detection ${why}`).toContain(why);
      // no restart storm: at most 2 URLs minted per fault (the critical path's and the spare's); a Create call
      // failed by an injected burst (the client retries 4 times inside one call) may add one call more
      expect(r.createsOk, `${where}: URLs minted`).toBeLessThanOrEqual(2);
      expect(r.creates, `${where}: Create calls`).toBeLessThanOrEqual(
        2 + Math.ceil(r.createHttpFailed / CLIENT_MAX_ATTEMPTS),
      );
    }
    // each detection is logged as such: a warning whose reason is the detection, counted by the ActionLog
    for (const e of entries.filter((x) => x.recovery)) expect(e).toMatchObject({ level: 'warn', reason: e.recovery });
    // every detection in the log belongs to a fault or a stop episode: none while the stream was stable
    const inEpisodes =
      records.reduce((a, r) => a + r.reasons.length, 0) + stops.reduce((a, s) => a + s.reasons.length, 0);
    expect(counters.recoveries, 'detections outside the fault windows').toBe(inEpisodes);
    // no storm overall: one recovery per fault, the slack for OBS relaunched just after a recovery went live
    expect(records.reduce((a, r) => a + r.reasons.length, 0)).toBeLessThanOrEqual(records.length + 3);
    expect(stops.map((s) => s.mode)).toEqual(
      expect.arrayContaining([
        'obs-button-live',
        'dock-live',
        'dock-mid-recovery',
        'obs-button-confirming',
        'obs-button-mid-removal',
        'dock-in-backoff',
      ]),
    );
  }, 480_000);
});
