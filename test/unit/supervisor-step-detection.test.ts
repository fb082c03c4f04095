/**
 * The supervisor's transition table, driven with a fake clock: every detection path while live (OBS events,
 * presence polls, the obs-websocket connection).
 */
import { describe, expect, it } from 'vitest';
import { Sim } from '../helpers/supervisor-sim.js';

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
    expect(sim.lastObs('SetStreamServiceSettings').data).toMatchObject({
      streamServiceSettings: { key: 's2?auth_key=secret' },
    });
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
    expect(sim.logs(mark).find((l) => l.recovery)).toMatchObject({
      recovery: 'publisher-absent',
      requestIds: [expect.stringMatching(/^req-poll-/)],
    });
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
    sim.send({
      type: 'participants-result',
      opId: op,
      ok: false,
      error: { code: 'Throttling.User', message: 'flow control', kind: 'throttling', retryable: true },
    });
    expect(sim.timerMs('poll')).toBeGreaterThanOrEqual(9_000);
    expect(sim.timerMs('poll')).toBeLessThanOrEqual(11_000);
    expect(sim.logs().pop()).toMatchObject({ level: 'warn', reason: 'poll-throttled' });
    sim.advance(10_000).timer('poll');
    sim.send({
      type: 'participants-result',
      opId: sim.lastOf('poll-participants').opId,
      ok: false,
      error: { code: 'Throttling', message: 'x', kind: 'throttling' },
    });
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
    sim.send({
      type: 'obs-reconnect-result',
      opId: op,
      ok: false,
      error: { code: 'Close1006', message: 'refused', kind: 'unreachable' },
    });
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
