/**
 * The supervisor's transition table, driven with a fake clock: Go live, every detection path, recovery and its
 * backoff, expiry, the obs-websocket link, the storm, the lease. The races live in supervisor-races.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { initialState, makeConfig, step, SupervisorConfigError } from '../../shared/supervisor/index.js';
import type { Effect } from '../../shared/supervisor/index.js';
import { CHANNEL, deepFreeze, HOUR, Sim, T0 } from '../helpers/supervisor-sim.js';

const kinds = (effects: Effect[]) => effects.map((e) => (e.kind === 'obs' ? `obs:${e.request}` : e.kind));

describe('Go live (the start path)', () => {
  it('mints, sets rtmp_custom, starts, waits for STARTED, confirms presence, then keeps a spare URL', () => {
    const sim = new Sim().connect();
    sim.send({ type: 'user-go-live', channel: CHANNEL });
    expect(sim.kind).toBe('connecting');
    expect(sim.lastOf('persist-intent').intent).toMatchObject({ shouldBeLive: true, channel: CHANNEL });
    expect(kinds(sim.last)).toContain('obs:GetStreamStatus');

    sim.status(false);
    expect(sim.kind).toBe('minting');
    expect(sim.obsCalls('StopStream')).toHaveLength(0); // OBS is not streaming: nothing to stop

    sim.mintOk();
    expect(sim.kind).toBe('configuring');
    expect(sim.lastObs('SetStreamServiceSettings').data).toEqual({
      streamServiceType: 'rtmp_custom',
      streamServiceSettings: { server: 'rtmp://push.example/app', key: 's1?auth_key=secret', use_auth: false },
    });
    expect(sim.obsCalls('StartStream')).toHaveLength(0);

    sim.obsOk('SetStreamServiceSettings');
    expect(sim.kind).toBe('starting');
    expect(sim.obsCalls('StartStream')).toHaveLength(1);
    expect(sim.timerMs('start-timeout')).toBe(15_000);

    sim.obsOk('StartStream'); // its own success says nothing
    expect(sim.kind).toBe('starting');
    sim.obsState('STARTING');
    sim.advance(400).obsState('STARTED');
    expect(sim.kind).toBe('confirming');
    expect(sim.cancelled('start-timeout')).toBe(true);
    expect(sim.timerMs('confirm-timeout')).toBe(20_000);
    expect(kinds(sim.last)).toContain('poll-participants');

    sim.advance(300).polled(false);
    expect(sim.kind).toBe('confirming');
    expect(sim.timerMs('poll')).toBeGreaterThanOrEqual(900); // fast while confirming
    expect(sim.timerMs('poll')).toBeLessThanOrEqual(1_100);
    sim.advance(1_000).timer('poll');
    sim.polled(true);
    expect(sim.kind).toBe('live');
    expect(sim.cancelled('confirm-timeout')).toBe(true);
    expect(sim.s.ctx.presence).toMatchObject({ status: 'present', lastSeenAt: sim.now });
    const poll = sim.timerMs('poll')!;
    expect(poll).toBeGreaterThanOrEqual(4_500);
    expect(poll).toBeLessThanOrEqual(5_500);
    expect(sim.count('mint')).toBe(2); // the Go live URL, then the spare
    sim.mintOk();
    expect(sim.s.ctx.spare?.requestId).toBe('req-mint-2');
    expect(sim.timerMs('refresh-url')).toBe(10 * HOUR - HOUR); // refreshed 10% (1 h) before it expires
  });

  it('stops a running stream first and waits for STOPPED (mint in parallel), and that STOPPED is not a user stop', () => {
    const sim = new Sim().connect();
    sim.send({ type: 'user-go-live', channel: CHANNEL });
    sim.status(true);
    expect(sim.kind).toBe('minting');
    expect(sim.obsCalls('StopStream')).toHaveLength(1);
    expect(sim.count('mint')).toBe(1);
    sim.mintOk();
    expect(sim.kind).toBe('configuring');
    expect(sim.obsCalls('SetStreamServiceSettings')).toHaveLength(0); // still streaming: Set would fail with 500
    sim.obsOk('StopStream');
    sim.obsState('STOPPING');
    expect(sim.kind).toBe('configuring');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('configuring');
    expect(sim.obsCalls('SetStreamServiceSettings')).toHaveLength(1);
    sim.finishRecovery();
  });

  it('treats StopStream 501 OutputNotRunning as already stopped', () => {
    const sim = new Sim().connect();
    sim.send({ type: 'user-go-live', channel: CHANNEL });
    sim.status(true);
    sim.obsFail('StopStream', 501);
    sim.mintOk();
    expect(sim.obsCalls('SetStreamServiceSettings')).toHaveLength(1);
  });

  it('connects to OBS first when it is not connected', () => {
    const sim = new Sim();
    sim.send({ type: 'user-go-live', channel: CHANNEL });
    expect(sim.s).toMatchObject({ kind: 'connecting', waitingFor: 'obs' });
    const reconnect = sim.lastOf('reconnect-obs');
    expect(sim.obsCalls('GetStreamStatus')).toHaveLength(0);
    sim.send({ type: 'obs-reconnect-result', opId: reconnect.opId, ok: true });
    // only `obs-connected` proves a connection; meanwhile the next try stays armed
    expect(sim.s).toMatchObject({ kind: 'connecting', waitingFor: 'obs' });
    expect(sim.timerMs('obs-reconnect')).toBeDefined();
    sim.send({ type: 'obs-connected' });
    expect(sim.s).toMatchObject({ kind: 'connecting', waitingFor: 'status' });
    expect(sim.cancelled('obs-reconnect')).toBe(true);
    sim.send({ type: 'obs-connected' }); // a duplicate: idempotent
    expect(sim.obsCalls('GetStreamStatus')).toHaveLength(1);
  });

  it('locks Go live until the outcome: a second Go live sends nothing', () => {
    const sim = new Sim().toStarting();
    const before = sim.mark();
    sim.send({ type: 'user-go-live', channel: CHANNEL });
    expect(sim.kind).toBe('starting');
    expect(sim.since(before).filter((e) => e.kind !== 'log')).toEqual([]);
    expect(sim.obsCalls('StartStream')).toHaveLength(1);
  });

  it('refuses invalid channel settings with a precise error', () => {
    const sim = new Sim().connect();
    sim.send({ type: 'user-go-live', channel: { ...CHANNEL, userId: 'bad id!' } });
    expect(sim.kind).toBe('idle');
    expect(sim.s.ctx.lastError?.code).toBe('InvalidChannel');
    expect(sim.s.ctx.lastError?.message).toContain('UserId');
  });

  it('a STOPPED instead of STARTED fails the try and retries with backoff (full jitter under 1 s for the first)', () => {
    const sim = new Sim().toStarting();
    sim.obsState('STOPPED'); // the first connection failed: straight to STOPPED
    expect(sim.s).toMatchObject({ kind: 'recovering', lastFailure: 'start-failed', attempt: { n: 1, trigger: 'go-live' } });
    const wait = sim.timerMs('retry')!;
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(wait).toBeLessThanOrEqual(1_000);
    if (sim.s.kind === 'recovering') expect(sim.s.nextTryAt).toBe(sim.now + wait);
    sim.advance(wait).timer('retry');
    expect(sim.s).toMatchObject({ kind: 'minting', attempt: { n: 2 } });
    expect(sim.obsCalls('StopStream')).toHaveLength(0); // OBS is stopped already
  });

  it('a start timeout never leads to a second StartStream while OBS is still connecting', () => {
    const sim = new Sim().toStarting();
    sim.obsState('STARTING');
    sim.advance(15_000).timer('start-timeout');
    expect(sim.s).toMatchObject({ kind: 'recovering', lastFailure: 'start-timeout' });
    sim.advance(1_000).timer('retry');
    sim.mintOk();
    expect(sim.kind).toBe('configuring');
    // STARTING: StopStream would answer 501 and a StartStream could crash OBS; wait for the outcome
    expect(sim.obsCalls('StopStream')).toHaveLength(0);
    expect(sim.obsCalls('SetStreamServiceSettings')).toHaveLength(1);
    sim.obsState('STARTED'); // the old start finally connected
    expect(sim.obsCalls('StopStream')).toHaveLength(1);
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.obsCalls('SetStreamServiceSettings')).toHaveLength(2);
    expect(sim.obsCalls('StartStream')).toHaveLength(1);
    sim.finishRecovery();
    expect(sim.obsCalls('StartStream')).toHaveLength(2);
  });

  it('a confirm timeout fails the try; an auth error from Create stops supervision and says why', () => {
    const sim = new Sim().toStarting();
    sim.obsState('STARTED');
    sim.polled(false);
    sim.advance(20_000).timer('confirm-timeout');
    expect(sim.s).toMatchObject({ kind: 'recovering', lastFailure: 'confirm-timeout' });
    sim.advance(2_000).timer('retry');
    expect(sim.obsCalls('StopStream')).toHaveLength(1); // OBS streams to a URL nobody sees: restart it
    sim.mintFail({ code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.', kind: 'auth', retryable: false, requestId: 'req-x' });
    expect(sim.s).toMatchObject({ kind: 'failed', why: { code: 'InvalidAccessKeyId.NotFound', requestId: 'req-x' } });
    expect(sim.lastOf('persist-intent').intent.shouldBeLive).toBe(false);
  });

  it('a StartStream without an answer may still be connecting: wait for its event, never start again blindly', () => {
    const sim = new Sim().toStarting();
    sim.send({ type: 'obs-result', opId: sim.lastObs('StartStream').opId, request: 'StartStream', ok: false, error: { code: 'Timeout', message: 'no answer', kind: 'timeout' } });
    expect(sim.kind).toBe('starting');
    sim.obsState('STARTED');
    expect(sim.kind).toBe('confirming');
    expect(sim.obsCalls('StartStream')).toHaveLength(1);
  });

  it('StartStream 500 OutputRunning means already streaming; Set 500 stops OBS and sets again once', () => {
    const sim = new Sim().connect();
    sim.send({ type: 'user-go-live', channel: CHANNEL });
    sim.status(false);
    sim.mintOk();
    sim.obsFail('SetStreamServiceSettings', 500, 'You cannot change stream service settings while streaming.');
    expect(sim.obsCalls('StopStream')).toHaveLength(1);
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.obsCalls('SetStreamServiceSettings')).toHaveLength(2);
    sim.obsOk('SetStreamServiceSettings');
    sim.obsFail('StartStream', 500);
    expect(sim.kind).toBe('confirming');
  });
});

describe('detection: OBS events while live', () => {
  it('STOPPED without STOPPING, not asked for: recovers at once using the spare (no Create on the critical path)', () => {
    const sim = new Sim().goLive();
    const mark = sim.mark();
    sim.advance(60_000).obsState('STOPPED');
    const warn = sim.logs(mark).find((l) => l.recovery);
    expect(warn).toMatchObject({ level: 'warn', reason: 'obs-stopped', recovery: 'obs-stopped' });
    expect(sim.kind).toBe('configuring'); // the spare URL: straight to Set
    expect(sim.count('mint', mark)).toBe(0);
    expect(sim.obsCalls('SetStreamServiceSettings', mark)).toHaveLength(1);
    expect(sim.s.ctx.offAirSince).toBe(sim.now);
    sim.advance(500).finishRecovery();
    const closed = sim.logs(mark).find((l) => l.offAirMs !== undefined);
    expect(closed?.offAirMs).toBe(500);
    expect(sim.count('mint', mark)).toBe(1); // one Create per recovery: the next spare
  });

  it("OBS's own Stop Streaming (STOPPING we did not ask for, then STOPPED) ends supervision: never fight", () => {
    const sim = new Sim().goLive();
    const mark = sim.mark();
    sim.obsState('STOPPING');
    expect(sim.s).toMatchObject({ kind: 'stopping', via: 'obs' });
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('stopped-by-user');
    expect(sim.lastOf('persist-intent').intent.shouldBeLive).toBe(false);
    expect(sim.obsCalls('StartStream', mark)).toHaveLength(0);
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(0);
    expect(sim.cancelled('poll', sim.since(mark))).toBe(true);
  });

  it('RECONNECTING: takes over at once (stop, STOPPED, fresh URL, start); our STOPPING/STOPPED is not a user stop', () => {
    const sim = new Sim().goLive();
    const mark = sim.mark();
    sim.obsState('RECONNECTING');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(1);
    expect(sim.logs(mark).find((l) => l.recovery)?.recovery).toBe('obs-reconnecting');
    sim.obsState('RECONNECTING'); // OBS's retries go on until our stop lands
    sim.obsOk('StopStream');
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('configuring');
    expect(sim.lastObs('SetStreamServiceSettings').data).toMatchObject({ streamServiceSettings: { key: 's2?auth_key=secret' } });
    sim.finishRecovery();
    expect(sim.obsCalls('StartStream', mark)).toHaveLength(1);
    expect(sim.count('mint', mark)).toBe(1);
  });

  it('RECONNECTING with a grace period lets OBS retry first; RECONNECTED within it changes nothing', () => {
    const sim = new Sim({ reconnectGraceMs: 3_000 }).goLive();
    const mark = sim.mark();
    sim.obsState('RECONNECTING');
    expect(sim.timerMs('grace')).toBe(3_000);
    sim.advance(2_000).obsState('RECONNECTING');
    expect(sim.timerMs('grace')).toBeUndefined(); // one grace per outage, not per OBS retry
    sim.advance(200).obsState('RECONNECTED');
    expect(sim.cancelled('grace')).toBe(true);
    expect(sim.kind).toBe('live');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(0);
  });

  it('RECONNECTING past the grace period: takes over; OBS giving up (STOPPED) during grace: recovers', () => {
    const a = new Sim({ reconnectGraceMs: 3_000 }).goLive();
    a.obsState('RECONNECTING');
    a.advance(3_000).timer('grace');
    expect(a.kind).toBe('configuring');
    expect(a.obsCalls('StopStream')).toHaveLength(1);

    const b = new Sim({ reconnectGraceMs: 3_000 }).goLive();
    b.obsState('RECONNECTING');
    b.advance(1_000).obsState('STOPPED');
    expect(b.logs().find((l) => l.recovery)?.recovery).toBe('obs-stopped');
    expect(b.kind).toBe('configuring');
    expect(b.cancelled('grace')).toBe(true);
  });
});

describe('detection: presence polls', () => {
  it('recovers after N consecutive absent polls while OBS streams; a present poll resets the count', () => {
    const sim = new Sim().goLive();
    sim.advance(5_000).timer('poll');
    sim.polled(false);
    expect(sim.kind).toBe('live');
    expect(sim.s.ctx.presence).toMatchObject({ status: 'absent', absentPolls: 1 });
    sim.advance(5_000).timer('poll');
    sim.polled(true);
    expect(sim.s.ctx.presence.absentPolls).toBe(0);
    sim.advance(5_000).timer('poll');
    sim.polled(false);
    const mark = sim.mark();
    sim.advance(5_000).timer('poll');
    sim.polled(false);
    expect(sim.logs(mark).find((l) => l.recovery)).toMatchObject({ recovery: 'publisher-absent', requestIds: [expect.stringMatching(/^req-poll-/)] });
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(1);
  });

  it('re-checks an absence at the confirming pace (silent removal found in one interval + confirmPollMs), then polls at the normal pace again', () => {
    const sim = new Sim({ pollIntervalMs: 5_000, confirmPollMs: 1_000, pollJitter: 0 }).goLive();
    sim.advance(5_000).timer('poll');
    sim.polled(true);
    expect(sim.timerMs('poll')).toBe(5_000);
    sim.advance(5_000).timer('poll');
    sim.polled(false); // 1 of 2
    expect(sim.kind).toBe('live');
    expect(sim.timerMs('poll')).toBe(1_000);
    sim.advance(1_000).timer('poll');
    sim.polled(true); // a glitch: present again, back to the normal pace, no recovery
    expect(sim.timerMs('poll')).toBe(5_000);
    expect(sim.logs().some((l) => l.recovery)).toBe(false);
    sim.advance(5_000).timer('poll');
    sim.polled(false);
    const mark = sim.mark();
    sim.advance(1_000).timer('poll');
    sim.polled(false); // 2 of 2, 1 s after the first absence
    expect(sim.logs(mark).find((l) => l.recovery)).toMatchObject({ recovery: 'publisher-absent' });
  });

  it('does not count absence while OBS is reconnecting within its grace period', () => {
    const sim = new Sim({ reconnectGraceMs: 10_000 }).goLive();
    sim.obsState('RECONNECTING');
    for (let i = 0; i < 3; i++) {
      sim.advance(5_000).timer('poll');
      sim.polled(false);
    }
    expect(sim.kind).toBe('live');
    expect(sim.s.ctx.presence.absentPolls).toBe(0);
  });

  it('polls one at a time, and slower when throttled (x2 per throttled answer, reset on success)', () => {
    const sim = new Sim().goLive();
    sim.advance(5_000).timer('poll');
    const op = sim.lastOf('poll-participants').opId;
    sim.timer('poll'); // a poll is in flight: no second one
    expect(sim.lastOf('poll-participants').opId).toBe(op);
    sim.send({ type: 'participants-result', opId: op, ok: false, error: { code: 'Throttling.User', message: 'flow control', kind: 'throttling', retryable: true } });
    expect(sim.timerMs('poll')).toBeGreaterThanOrEqual(9_000);
    expect(sim.timerMs('poll')).toBeLessThanOrEqual(11_000);
    expect(sim.logs().pop()).toMatchObject({ level: 'warn', reason: 'poll-throttled' });
    sim.advance(10_000).timer('poll');
    sim.send({ type: 'participants-result', opId: sim.lastOf('poll-participants').opId, ok: false, error: { code: 'Throttling', message: 'x', kind: 'throttling' } });
    expect(sim.timerMs('poll')).toBeGreaterThanOrEqual(18_000);
    sim.advance(20_000).timer('poll');
    sim.polled(true);
    expect(sim.timerMs('poll')).toBeLessThanOrEqual(5_500);
    expect(sim.kind).toBe('live');
  });

  it('uses the configured poll interval and absent count', () => {
    const sim = new Sim({ pollIntervalMs: 2_000, confirmPollMs: 700, pollJitter: 0, absentPollsToRecover: 3 }).goLive();
    sim.advance(2_000).timer('poll');
    sim.polled(false);
    expect(sim.timerMs('poll')).toBe(700); // an absence is re-checked at the confirming pace
    sim.advance(2_000).timer('poll');
    sim.polled(false);
    expect(sim.kind).toBe('live');
    sim.advance(2_000).timer('poll');
    sim.polled(false);
    expect(sim.kind).not.toBe('live');
  });
});

describe('expiry: never stop a healthy stream; keep a fresh URL ready', () => {
  it('refreshes the spare ahead of expiry in the background and leaves OBS alone past its URL expiry', () => {
    const sim = new Sim().goLive();
    const mark = sim.mark();
    sim.advance(9 * HOUR).timer('refresh-url');
    expect(sim.count('mint', mark)).toBe(1);
    sim.mintOk();
    expect(sim.s.ctx.spare?.expiresAt).toBe(sim.now + 10 * HOUR);
    sim.advance(2 * HOUR).timer('poll'); // the URL OBS uses has expired: irrelevant to a running push
    sim.polled(true);
    expect(sim.kind).toBe('live');
    expect(sim.since(mark).filter((e) => e.kind === 'obs')).toEqual([]);
  });

  it('a failed refresh retries with backoff and never touches the stream', () => {
    const sim = new Sim().goLive();
    sim.advance(9 * HOUR).timer('refresh-url');
    sim.mintFail({ code: 'ServiceUnavailable', message: 'busy', kind: 'server', retryable: true });
    expect(sim.kind).toBe('live');
    expect(sim.logs().pop()).toMatchObject({ level: 'warn', reason: 'spare-mint-failed' });
    const wait = sim.timerMs('refresh-url')!;
    expect(wait).toBeGreaterThanOrEqual(1_000);
    expect(wait).toBeLessThanOrEqual(5_000);
  });

  it('a spare too close to expiry is not used: the recovery mints', () => {
    const sim = new Sim({ preMint: true }).goLive();
    sim.advance(10 * HOUR - 30_000); // refresh timer "lost": spare has 30 s left
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('minting');
    expect(sim.logs().some((l) => l.reason === 'spare-expired')).toBe(true);
  });

  it('without pre-minting, every recovery makes its own single Create call', () => {
    const sim = new Sim({ preMint: false });
    sim.connect().send({ type: 'user-go-live', channel: CHANNEL });
    sim.status(false);
    sim.mintOk();
    sim.finishRecovery();
    expect(sim.count('mint')).toBe(1);
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('minting');
    sim.mintOk();
    sim.finishRecovery();
    expect(sim.count('mint')).toBe(2);
  });

  it('one Create call per recovery over many recoveries', () => {
    const sim = new Sim().goLive();
    const base = sim.count('mint');
    for (let i = 0; i < 4; i++) {
      sim.advance(5 * 60_000).obsState('STOPPED');
      sim.finishRecovery();
      sim.mintOk(); // the next spare
    }
    expect(sim.count('mint') - base).toBe(4);
  });
});

describe('detection: the obs-websocket connection', () => {
  it('reconnects with backoff and reconciles: OBS still streaming -> live, without restarting it', () => {
    const sim = new Sim().goLive();
    const mark = sim.mark();
    sim.send({ type: 'obs-disconnected', code: 1006 });
    expect(sim.s).toMatchObject({ kind: 'connecting', entry: 'adopt', waitingFor: 'obs' });
    const wait = sim.timerMs('obs-reconnect')!;
    expect(wait).toBeGreaterThanOrEqual(100);
    expect(wait).toBeLessThanOrEqual(500);
    sim.advance(wait).timer('obs-reconnect');
    const op = sim.lastOf('reconnect-obs').opId;
    sim.send({ type: 'obs-reconnect-result', opId: op, ok: false, error: { code: 'Close1006', message: 'refused', kind: 'unreachable' } });
    expect(sim.timerMs('obs-reconnect')).toBeLessThanOrEqual(1_000); // the second wait: ceiling 1 s
    sim.advance(1_000).timer('obs-reconnect');
    sim.send({ type: 'obs-reconnect-result', opId: sim.lastOf('reconnect-obs').opId, ok: true });
    sim.send({ type: 'obs-connected' });
    sim.status(true);
    expect(sim.kind).toBe('live');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(0);
    expect(sim.obsCalls('StartStream', mark)).toHaveLength(0);
    expect(sim.timerMs('poll')).toBe(0); // presence checked at once
  });

  it('reconciles: should be live but OBS is not streaming -> recovers', () => {
    const sim = new Sim().goLive();
    sim.send({ type: 'obs-disconnected', code: 1001 });
    sim.send({ type: 'obs-connected' });
    sim.status(false);
    expect(sim.logs().find((l) => l.recovery)?.recovery).toBe('obs-reconnected-not-streaming');
    expect(sim.kind).toBe('configuring');
  });

  it('a close no retry can fix (4009 auth) stops supervision, keeps the intent, and does not reconnect', () => {
    const sim = new Sim().goLive();
    const mark = sim.mark();
    sim.send({ type: 'obs-disconnected', code: 4009 });
    expect(sim.s).toMatchObject({ kind: 'failed', why: { code: 'ObsClose4009' } });
    expect(sim.timerMs('obs-reconnect')).toBeUndefined();
    expect(sim.since(mark).some((e) => e.kind === 'persist-intent')).toBe(false);
  });

  it('idle: reconnects too, but does not start anything', () => {
    const sim = new Sim().connect();
    sim.send({ type: 'obs-disconnected', code: 1006 });
    expect(sim.kind).toBe('idle');
    expect(sim.timerMs('obs-reconnect')).toBeDefined();
  });
});

describe('recovery backoff and the storm', () => {
  it('backs off exponentially with full jitter (1 s, 2 s, 4 s ... capped at 60 s), unlimited by default', () => {
    const sim = new Sim().goLive();
    sim.obsState('STOPPED');
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      sim.obsFail('SetStreamServiceSettings', 702);
      expect(sim.kind).toBe('recovering');
      waits.push(sim.timerMs('retry')!);
      sim.advance(waits[i]!).timer('retry');
      sim.mintOk();
    }
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThanOrEqual(Math.min(60_000, 1_000 * 2 ** i));
    });
    expect(waits.slice(6).some((w) => w > 8_000)).toBe(true);
  });

  it('gives up after maxAttempts when configured', () => {
    const sim = new Sim({ retry: { baseMs: 1_000, capMs: 60_000, maxAttempts: 2 } }).goLive();
    sim.obsState('STOPPED');
    sim.obsFail('SetStreamServiceSettings', 702);
    sim.timer('retry');
    sim.mintOk();
    sim.obsFail('SetStreamServiceSettings', 702);
    expect(sim.s).toMatchObject({ kind: 'failed', why: { code: 'RetriesExhausted' } });
  });

  it('honours retry-after on a throttled Create', () => {
    const sim = new Sim({ preMint: false }).goLive();
    sim.obsState('STOPPED');
    sim.mintFail({ code: 'Throttling.User', message: 'flow control', kind: 'throttling', retryable: true, retryAfterMs: 7_000 });
    expect(sim.timerMs('retry')).toBeGreaterThanOrEqual(7_000);
  });

  it('"Retry now" tries at once and cancels the countdown', () => {
    const sim = new Sim().goLive();
    sim.obsState('STOPPED');
    sim.obsFail('SetStreamServiceSettings', 702);
    expect(sim.kind).toBe('recovering');
    sim.send({ type: 'user-retry-now' });
    expect(sim.s).toMatchObject({ kind: 'minting', attempt: { n: 2 } });
    expect(sim.cancelled('retry')).toBe(true);
  });

  it('flags a storm loudly (more than 5 recoveries in 10 min) and slows to one try per 30 s', () => {
    const sim = new Sim().goLive();
    for (let i = 0; i < 5; i++) {
      sim.advance(60_000).obsState('STOPPED');
      sim.finishRecovery();
      sim.mintOk();
    }
    sim.advance(60_000).obsState('STOPPED');
    const storm = sim.logs().find((l) => l.reason === 'recovery-storm');
    expect(storm).toMatchObject({ level: 'warn' });
    expect(storm?.message).toContain('obs-pub');
    expect(sim.s).toMatchObject({ kind: 'recovering', lastFailure: 'storm-delay', nextTryAt: sim.now + 30_000 });
    sim.advance(30_000).timer('retry');
    expect(sim.kind).toBe('configuring');
  });

  it('stops supervision past maxRecoveriesInWindow', () => {
    const sim = new Sim({ maxRecoveriesInWindow: 3 }).goLive();
    for (let i = 0; i < 3; i++) {
      sim.advance(60_000).obsState('STOPPED');
      sim.finishRecovery();
      sim.mintOk();
    }
    sim.advance(60_000).obsState('STOPPED');
    expect(sim.s).toMatchObject({ kind: 'failed', why: { code: 'RecoveryLimit' } });
    expect(sim.obsCalls('StartStream')).toHaveLength(4);
  });
});

describe('resume and the lease', () => {
  it('resume with OBS streaming supervises it without restarting or re-saving the intent', () => {
    const sim = new Sim().connect();
    sim.send({ type: 'resume', channel: CHANNEL });
    sim.status(true);
    expect(sim.kind).toBe('live');
    expect(sim.obsCalls('StopStream')).toHaveLength(0);
    expect(sim.count('persist-intent')).toBe(0);
  });

  it('resume with OBS not streaming recovers (reason resume-not-streaming)', () => {
    const sim = new Sim().connect();
    sim.send({ type: 'resume', channel: CHANNEL });
    sim.status(false);
    expect(sim.logs().find((l) => l.recovery)?.recovery).toBe('resume-not-streaming');
    expect(sim.kind).toBe('minting');
  });

  it('acts only with the lease: refused -> failed (intent kept), no OBS request', () => {
    const sim = new Sim({ useLease: true }).connect();
    sim.send({ type: 'user-go-live', channel: CHANNEL });
    const lease = sim.lastOf('lease');
    expect(lease.action).toBe('acquire');
    sim.send({ type: 'lease-result', opId: lease.opId, ok: true, granted: false, holder: 'run-laptop' });
    expect(sim.s).toMatchObject({ kind: 'failed', why: { code: 'LeaseHeld', message: expect.stringContaining('run-laptop') } });
    expect(sim.effects.filter((e) => e.kind === 'obs')).toEqual([]);
    expect(sim.count('persist-intent')).toBe(1); // the Go live itself, not a "stop"
  });

  it('Stop while waiting for the lease ends supervision without touching OBS', () => {
    const sim = new Sim({ useLease: true }).connect();
    sim.send({ type: 'resume', channel: CHANNEL });
    sim.send({ type: 'user-stop' });
    expect(sim.kind).toBe('stopped-by-user');
    expect(sim.effects.filter((e) => e.kind === 'obs')).toEqual([]);
    expect(sim.lastOf('lease').action).toBe('release');
  });

  it('renews the lease; losing it stops acting without touching the intent', () => {
    const sim = new Sim({ useLease: true, leaseRenewMs: 10_000 }).connect();
    sim.send({ type: 'user-go-live', channel: CHANNEL });
    sim.send({ type: 'lease-result', opId: sim.lastOf('lease').opId, ok: true, granted: true });
    expect(sim.timerMs('lease')).toBe(10_000);
    expect(sim.obsCalls('GetStreamStatus')).toHaveLength(1);
    sim.advance(10_000).timer('lease');
    expect(sim.lastOf('lease').action).toBe('renew');
    sim.send({ type: 'lease-result', opId: sim.lastOf('lease').opId, ok: true, granted: false, holder: 'run' });
    expect(sim.s).toMatchObject({ kind: 'failed', why: { code: 'LeaseLost' } });
    expect(sim.count('persist-intent')).toBe(1);
  });
});

describe('purity and config', () => {
  it('never mutates its input and is deterministic', () => {
    const a = new Sim().goLive();
    const frozen = deepFreeze(a.s);
    const r1 = step(frozen, { type: 'obs-stream-state', outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED', outputActive: false }, a.now + 1);
    const r2 = step(frozen, { type: 'obs-stream-state', outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED', outputActive: false }, a.now + 1);
    expect(r1).toEqual(r2);
    expect(frozen.kind).toBe('live');
  });

  it('validates config with precise messages', () => {
    expect(() => makeConfig({ pollIntervalMs: 0 })).toThrow(SupervisorConfigError);
    expect(() => makeConfig({ pollIntervalMs: 0 })).toThrow('pollIntervalMs must be a positive number of ms');
    expect(() => makeConfig({ retry: { baseMs: 1_000, capMs: 10, maxAttempts: Infinity } })).toThrow('retry.capMs');
    expect(() => makeConfig({ maxRecoveriesInWindow: 0 })).toThrow('maxRecoveriesInWindow');
    expect(makeConfig({}).retry).toMatchObject({ baseMs: 1_000, capMs: 60_000, maxAttempts: Infinity });
    expect(initialState({ now: T0 })).toMatchObject({ kind: 'idle', since: T0 });
  });
});

describe('the obs-websocket reconnect loop', () => {
  it('a failed connect reported as a close (4009) while a try is armed is still fatal', () => {
    const sim = new Sim();
    sim.send({ type: 'resume', channel: CHANNEL });
    sim.send({ type: 'obs-reconnect-result', opId: sim.lastOf('reconnect-obs').opId, ok: true });
    expect(sim.timerMs('obs-reconnect')).toBeDefined();
    sim.send({ type: 'obs-disconnected', code: 4009, closeClass: 'auth-failed' });
    expect(sim.s).toMatchObject({ kind: 'failed', why: { code: 'ObsClose4009' } });
    expect(sim.cancelled('obs-reconnect')).toBe(true);
  });

  it('closes of failed connects do not double the armed try (single flight)', () => {
    const sim = new Sim();
    sim.send({ type: 'resume', channel: CHANNEL });
    sim.send({ type: 'obs-reconnect-result', opId: sim.lastOf('reconnect-obs').opId, ok: true });
    const mark = sim.mark();
    sim.send({ type: 'obs-disconnected', code: 1006, closeClass: 'unreachable' });
    expect(sim.since(mark).filter((e) => e.kind === 'timer' || e.kind === 'reconnect-obs')).toEqual([]);
    sim.advance(500).timer('obs-reconnect');
    expect(sim.count('reconnect-obs', mark)).toBe(1);
  });
});

describe('short-lived URLs (a small ExpireTime)', () => {
  it('goes live with a 30 s URL, and uses a spare only while it has more than half its life left', () => {
    const sim = new Sim().connect();
    sim.send({ type: 'user-go-live', channel: { ...CHANNEL, expireTime: 30 } });
    sim.status(false);
    sim.mintOk(undefined, 30_000);
    expect(sim.kind).toBe('configuring');
    expect(sim.obsCalls('SetStreamServiceSettings')).toHaveLength(1);
    sim.obsOk('SetStreamServiceSettings');
    sim.obsOk('StartStream');
    sim.obsState('STARTING');
    sim.obsState('STARTED');
    expect(sim.kind).toBe('confirming');
    const poll = sim.lastOf('poll-participants');
    sim.send({ type: 'participants-result', opId: poll.opId, ok: true, users: [CHANNEL.userId], requestId: 'p1' });
    expect(sim.kind).toBe('live');
    sim.mintOk(undefined, 30_000); // the spare, minted once live
    expect(sim.s.ctx.spare).not.toBeNull();
    // refreshed at half its life, exactly when it stops being usable
    expect(sim.timerMs('refresh-url')).toBe(15_000);
  });
});
