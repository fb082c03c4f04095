/**
 * The chaos test's hands (test/integration/chaos.test.ts): injects one fault into the sandbox or OBS, waits
 * until the supervisor is live again (live, the publisher listed by the sandbox, OBS's output active) and
 * measures it; presses the user's Stop and checks it is respected. Presence is read from the sandbox's own
 * state (stats().publishers), never through the API: a probe's call would eat the failures injected for the
 * supervisor. Every wait has a deadline. What it reads (the supervisor's snapshot, presence, OBS's output) and
 * the waits on it are in chaos-probes.ts.
 */
import { int, pick, type FaultKind, type FaultRecord, type StopMode, type StopRecord } from './chaos.js';
import { chaosProbes, type Chaos } from './chaos-probes.js';
import { startObs } from './obs-rig.js';
import { sleep } from './proc-tree.js';
import { waitFor } from './wait-for.js';

export type { Chaos } from './chaos-probes.js';

interface Injected {
  variant: string;
  expected: [number, number];
  timeoutMs?: number;
}

const THROTTLED = { status: 400, code: 'Throttling.User', message: 'Request was denied due to user flow control.' };

export function createInjector(c: Chaos) {
  const { who, snap, listed, obsActive, detections, alive2, when, stable, recovered, survived } = chaosProbes(c);
  const starts: number[] = [];
  c.user.on('StreamStateChanged', (e) => e.outputState === 'OBS_WEBSOCKET_OUTPUT_STARTING' && starts.push(Date.now()));

  function kick(): void {
    const n = c.sb().faults.kick(who);
    if (n !== 1) throw new Error(`kick closed ${n} RTMP sessions, expected 1`);
  }

  function remove(): void {
    const n = c.sb().faults.remove(who);
    if (n !== 1) throw new Error(`silent removal unlisted ${n} publishes, expected 1`);
  }

  /**
   * The cloud's clock jumps forward past every URL issued so far (the current one and the spare). Never undone:
   * shifting back would give URLs minted meanwhile a longer life than `shiftS`, so a later jump would not expire
   * them. Only the cloud's URL clock moves (the gateway checks x-acs-date on the wall clock).
   */
  function shift(): void {
    c.sb().faults.shiftClock(c.shiftS);
  }

  async function restartObs(sig: 'SIGTERM' | 'SIGINT'): Promise<void> {
    const old = c.obs();
    const t = Date.now();
    await old.stop(sig);
    const next = await startObs({ home: old.home, port: old.port, password: old.password });
    c.setObs(next);
    await c.user.connect(next.url, next.password);
    c.say(`OBS quit (${sig}) and relaunched on the same HOME and port in ${Date.now() - t} ms`);
  }

  const state = {
    /** OBS's own auto-reconnect is on (the last segment): labels the variants */
    reconnectOn: false,
    stable,

    async setObsReconnect(on: boolean): Promise<void> {
      const values = { Reconnect: on ? 'true' : 'false', RetryDelay: '1', MaxRetries: '5' };
      for (const [parameterName, parameterValue] of Object.entries(values)) {
        await c.user.call('SetProfileParameter', { parameterCategory: 'Output', parameterName, parameterValue });
      }
    },

    async fault(n: number, kind: FaultKind): Promise<FaultRecord> {
      await stable();
      const mark = c.entries.length;
      const mintMark = c.client.mints.length;
      const before = c.sb().stats();
      const offBefore = snap().counters.offAirMs;
      const t0 = Date.now();
      const inj = await inject(kind);
      const liveAt = inj.expected[1] === 0 ? await survived(t0) : await recovered(mark, inj.timeoutMs ?? 30_000);
      // the window closes once the spare URL is minted again (its Create calls count for this fault)
      await waitFor(
        () => snap().spareExpiresAt !== null && c.client.mints.slice(mintMark).every((m) => m.ms !== undefined),
        { what: 'the spare URL re-minted', timeoutMs: 20_000 },
      );
      const after = c.sb().stats();
      const mints = c.client.mints.slice(mintMark);
      const http = (s: typeof before) => s.calls.CreateRoomRealTimeStreamAddress ?? 0;
      const ok = (s: typeof before) => s.outcomes.CreateRoomRealTimeStreamAddress?.OK ?? 0;
      const window = c.entries.slice(mark);
      return {
        n,
        kind,
        variant: inj.variant + (state.reconnectOn ? ' +OBS auto-reconnect' : ''),
        expected: inj.expected,
        reasons: detections(mark),
        recoverMs: liveAt - t0,
        creates: mints.length,
        createsOk: mints.filter((m) => m.ok).length,
        createsCritical: mints.filter((m) => m.state === 'minting').length,
        createHttp: http(after) - http(before),
        createHttpFailed: http(after) - http(before) - (ok(after) - ok(before)),
        offAirMs: snap().counters.offAirMs - offBefore,
        states: window.flatMap((e) => (e.to ? [e.to] : [])).join('>'),
      };
    },

    async userStop(mode: StopMode): Promise<StopRecord> {
      await stable();
      const mark = c.entries.length;
      const t0 = Date.now();
      let stateAtStop = '';
      const dock = () => {
        stateAtStop = snap().kind;
        c.runner().stop();
      };
      const button = async () => {
        stateAtStop = snap().kind;
        await c.user.call('StopStream');
      };
      switch (mode) {
        case 'obs-button-live':
          await button();
          break;
        case 'dock-live':
          dock();
          break;
        case 'dock-mid-recovery':
          kick();
          await when((s) => s.kind !== 'live', 'the recovery to begin');
          await sleep(int(c.rand, 0, 300));
          dock();
          break;
        case 'obs-button-confirming':
          // OBS streams again (STARTED) but the publisher is not confirmed yet (or just was)
          kick();
          await when((s) => s.kind !== 'live', 'the recovery to begin');
          await when((s) => s.kind === 'confirming' || s.kind === 'live', 'OBS STARTED again');
          await button();
          break;
        case 'obs-button-mid-removal':
          remove(); // unlisted; the supervisor has not noticed yet, OBS streams
          await button();
          break;
        case 'dock-in-backoff':
          // the spare is refused as expired: the try fails and the supervisor waits for its next one
          shift();
          kick();
          await when((s) => s.kind === 'recovering', 'a failed try, waiting to retry', 20_000);
          dock();
          break;
      }
      await waitFor(() => alive2(snap()).kind === 'stopped-by-user', {
        what: `stopped-by-user after ${mode}`,
        timeoutMs: 15_000,
        intervalMs: 20,
      });
      const toStoppedMs = Date.now() - t0;
      await waitFor(async () => !(await obsActive()) && !listed(), {
        what: "OBS inactive and unlisted after the user's Stop",
        timeoutMs: 10_000,
      });
      // never fought: nothing starts OBS again
      const startsBefore = starts.length;
      const quietUntil = Date.now() + 2_000;
      while (Date.now() < quietUntil) {
        const st = await c.user.call('GetStreamStatus');
        if (
          st.outputActive ||
          st.outputReconnecting ||
          snap().kind !== 'stopped-by-user' ||
          starts.length !== startsBefore
        ) {
          throw new Error(
            `after the user's Stop (${mode}) the stream came back: OBS active ${st.outputActive}, supervisor ${snap().kind}`,
          );
        }
        await sleep(100);
      }
      const reasons = detections(mark);
      c.runner().goLive(c.channel); // the user goes live again
      return { mode, stateAtStop, toStoppedMs, reasons };
    },
  };

  async function inject(kind: FaultKind): Promise<Injected> {
    const f = c.sb().faults;
    switch (kind) {
      case 'kick':
        kick();
        return { variant: 'kick', expected: [1, 1] };
      case 'silent-removal':
        remove();
        return { variant: 'remove', expected: [1, 1] };
      case 'api-5xx': {
        const variant = pick(c.rand, ['describe', 'any', 'create-spare', 'create-critical'] as const);
        const status = pick(c.rand, [500, 503]);
        const count = int(c.rand, 3, 8);
        const action =
          variant === 'describe'
            ? 'DescribeChannelParticipants'
            : variant === 'any'
              ? '*'
              : 'CreateRoomRealTimeStreamAddress';
        // create-critical: the spare is expired in the cloud, so the recovery's own Create must push through
        if (variant === 'create-critical') shift();
        f.failNext(action, count, { status, code: status === 500 ? 'InternalError' : 'ServiceUnavailable' });
        kick();
        return { variant: `${variant} ${status}x${count}`, expected: [1, 1] };
      }
      case 'throttling': {
        const variant = pick(c.rand, ['live-polling', 'recovery', 'recovery-any'] as const);
        const count = int(c.rand, 3, 8);
        const retryAfterMs = int(c.rand, 200, 800);
        f.failNext(variant === 'recovery-any' ? '*' : 'DescribeChannelParticipants', count, {
          ...THROTTLED,
          retryAfterMs,
        });
        if (variant !== 'live-polling') kick();
        return {
          variant: `${variant} x${count} retry-after ${retryAfterMs}`,
          expected: variant === 'live-polling' ? [0, 0] : [1, 1],
        };
      }
      case 'expired-then-kick': {
        shift();
        kick();
        return { variant: `clock +${c.shiftS}s`, expected: [1, 1] };
      }
      case 'obs-restart': {
        const sig = pick(c.rand, ['SIGTERM', 'SIGINT'] as const);
        const mid = c.rand() < 0.4;
        if (mid) {
          kick();
          await when((s) => s.kind !== 'live', 'the recovery to begin');
        }
        await restartObs(sig);
        // mid-recovery: the restart may land after that recovery already went live, a second detection
        return { variant: `${sig}${mid ? ' mid-recovery' : ''}`, expected: mid ? [1, 2] : [1, 1], timeoutMs: 60_000 };
      }
    }
  }

  return state;
}
