/**
 * The races of the issue's "Done when" that are sequences (each step's outcome checked on the way): an OBS event
 * while minting, the API failing during a recovery, OBS restarting mid-recovery, OBS 29's STOPPED before STOPPING;
 * plus stale results from superseded attempts. The races that are input -> expected (the user stopping during a
 * recovery, two detections at once) are table rows in supervisor-race-tables.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CHANNEL, liveWithoutSpare, Sim } from '../helpers/supervisor-sim.js';

describe('an OBS event arrives while minting', () => {
  it('our own STOPPING/STOPPED during the mint: not a user stop; Set follows the mint at once', () => {
    const sim = liveWithoutSpare();
    sim.obsState('RECONNECTING');
    expect(sim.kind).toBe('minting');
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('minting');
    sim.mintOk();
    expect(sim.obsCalls('SetStreamServiceSettings')).toHaveLength(2);
    sim.finishRecovery();
  });

  it("OBS's own RECONNECTED after we took over: our stop still lands, no second StopStream", () => {
    const sim = liveWithoutSpare();
    const mark = sim.mark();
    sim.obsState('RECONNECTING');
    sim.obsState('RECONNECTED');
    expect(sim.kind).toBe('minting');
    sim.mintOk();
    expect(sim.kind).toBe('configuring');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(1);
    expect(sim.obsCalls('SetStreamServiceSettings', mark)).toHaveLength(0);
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.obsCalls('SetStreamServiceSettings', mark)).toHaveLength(1);
  });

  it('OBS started by hand while we mint (after a failure): we stop it before setting, never start twice', () => {
    const sim = liveWithoutSpare();
    sim.obsState('STOPPED');
    const mark = sim.mark();
    sim.obsState('STARTING');
    sim.mintOk();
    expect(sim.obsCalls('SetStreamServiceSettings', mark)).toHaveLength(0);
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(0); // connecting: wait for its outcome
    sim.obsState('STARTED');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(1);
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    sim.finishRecovery();
    expect(sim.obsCalls('StartStream', mark)).toHaveLength(1);
  });

  it('someone presses Stop in OBS while our restart is connecting: supervision ends, not a failure', () => {
    const sim = liveWithoutSpare();
    sim.obsState('STOPPED'); // failure: recovering, OBS stopped
    sim.mintOk();
    sim.obsOk('SetStreamServiceSettings');
    sim.obsState('STARTING');
    sim.obsState('STOPPING'); // not ours: someone pressed Stop Streaming
    expect(sim.s).toMatchObject({ kind: 'stopping', via: 'obs' });
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('stopped-by-user');
    expect(sim.lastOf('persist-intent').intent.shouldBeLive).toBe(false);
  });
});

describe('the API fails during a recovery', () => {
  it('a retryable failure backs off and the next try succeeds', () => {
    const sim = liveWithoutSpare();
    sim.obsState('STOPPED');
    sim.mintFail({ code: 'InternalError', message: 'oops', kind: 'server', retryable: true, requestId: 'req-500' });
    expect(sim.s).toMatchObject({ kind: 'recovering', lastFailure: 'mint-failed', attempt: { n: 1 } });
    expect(sim.s.ctx.lastError).toEqual({ code: 'InternalError', message: 'oops', requestId: 'req-500' });
    expect(sim.logs().pop()).toMatchObject({ level: 'warn', requestIds: ['req-500'], attempt: 1 });
    sim.advance(sim.timerMs('retry')!).timer('retry');
    sim.mintOk();
    sim.finishRecovery();
    expect(sim.s.ctx.lastError).toBeNull();
  });

  it('presence polls failing (not throttled) neither recover nor count as absent', () => {
    const sim = new Sim().goLive();
    for (let i = 0; i < 5; i++) {
      sim.advance(5_000).timer('poll');
      sim.send({
        type: 'participants-result',
        opId: sim.lastOf('poll-participants').opId,
        ok: false,
        error: { code: 'NetworkError', message: 'down', kind: 'network' },
      });
    }
    expect(sim.kind).toBe('live');
    expect(sim.s.ctx.presence.absentPolls).toBe(0);
  });
});

describe('OBS restarts mid-recovery', () => {
  it('the connection drops while setting: stale answers are ignored; after the restart the try goes on with its unpublished URL', () => {
    const sim = liveWithoutSpare();
    sim.obsState('STOPPED');
    sim.mintOk();
    const setOp = sim.lastObs('SetStreamServiceSettings').opId;
    sim.send({ type: 'obs-exit-started' });
    sim.send({ type: 'obs-disconnected', code: 1001, reason: 'Server stopping.' });
    expect(sim.s).toMatchObject({ kind: 'connecting', entry: 'adopt', attempt: { n: 1 } });
    const mark = sim.mark();
    sim.send({
      type: 'obs-result',
      opId: setOp,
      request: 'SetStreamServiceSettings',
      ok: false,
      error: { code: 'Close1001', message: 'closed' },
    });
    expect(sim.since(mark).filter((e) => e.kind !== 'log')).toEqual([]);
    sim.advance(4_000).send({ type: 'obs-connected' });
    sim.status(false);
    // the URL minted for try 1 was set, never started: try 2 uses it, no second Create call
    expect(sim.s).toMatchObject({ kind: 'configuring', attempt: { n: 2, trigger: 'obs-stopped' } });
    expect(sim.since(mark).filter((e) => e.kind === 'mint')).toEqual([]);
    expect(sim.logs().find((l) => l.reason === 'spare-kept')).toBeDefined();
    expect(sim.logs().filter((l) => l.recovery)).toHaveLength(1); // the same recovery goes on: not counted twice
    sim.finishRecovery();
  });

  it("OBS quitting: its STOPPING/STOPPED are not the user's; the restart resumes supervision", () => {
    const sim = new Sim().goLive();
    sim.send({ type: 'obs-exit-started' });
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('live');
    expect(sim.count('persist-intent')).toBe(1);
    sim.send({ type: 'obs-disconnected', code: 1001 });
    expect(sim.kind).toBe('connecting');
    sim.send({ type: 'obs-connected' });
    sim.status(false);
    expect(sim.logs().find((l) => l.recovery)?.recovery).toBe('obs-reconnected-not-streaming');
    sim.finishRecovery();
  });

  it('a STOPPING with the socket closing before its STOPPED is OBS quitting, not a user stop', () => {
    const sim = new Sim().goLive();
    sim.obsState('STOPPING');
    expect(sim.s).toMatchObject({ kind: 'stopping', via: 'obs' });
    sim.send({ type: 'obs-disconnected', code: 1006 });
    expect(sim.s).toMatchObject({ kind: 'connecting', entry: 'adopt' });
    expect(sim.count('persist-intent')).toBe(1);
  });

  it('OBS restarts while we wait to retry: the retry timer is dropped and the reconcile decides', () => {
    const sim = liveWithoutSpare();
    sim.obsState('STOPPED');
    sim.mintFail({ code: 'ServiceUnavailable', message: 'busy', kind: 'server', retryable: true });
    sim.send({ type: 'obs-disconnected', code: 1006 });
    expect(sim.cancelled('retry')).toBe(true);
    sim.send({ type: 'obs-connected' });
    sim.status(true); // OBS came back streaming (its own auto-start)
    expect(sim.kind).toBe('live');
  });
});

describe('OBS 29 sends STOPPED before STOPPING when stopped during its own reconnect', () => {
  it('RECONNECTING, our StopStream, STOPPED then STOPPING: the late STOPPING is ours, the recovery goes on', () => {
    const sim = new Sim().goLive();
    const mark = sim.mark();
    sim.obsState('RECONNECTING'); // take over: StopStream, the spare URL
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(1);
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('configuring');
    sim.obsState('STOPPING'); // seen in the soak right after the STOPPED (same millisecond)
    expect(sim.kind).toBe('configuring');
    expect(sim.logs(mark).some((l) => l.reason === 'obs-stop-pressed')).toBe(false);
    sim.finishRecovery();
    expect(sim.logs(mark).filter((l) => l.recovery)).toHaveLength(1);
  });

  it('the late STOPPING after SetStreamServiceSettings answered and StartStream went out: still ours', () => {
    const sim = new Sim().goLive();
    sim.obsState('RECONNECTING');
    sim.obsState('STOPPED');
    sim.obsOk('SetStreamServiceSettings');
    expect(sim.kind).toBe('starting');
    sim.obsState('STOPPING'); // emitted before our start began: arrives before its STARTING
    expect(sim.kind).toBe('starting');
    sim.obsOk('StartStream');
    sim.obsState('STARTING');
    sim.obsState('STARTED');
    sim.polled(true);
    expect(sim.kind).toBe('live');
  });

  it("a real Stop press once OBS streams again is still the user's", () => {
    const sim = new Sim().goLive();
    sim.obsState('RECONNECTING');
    sim.obsState('STOPPED');
    sim.obsState('STOPPING');
    sim.finishRecovery();
    sim.obsState('STOPPING');
    expect(sim.kind).toBe('stopping');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('stopped-by-user');
  });
});

describe('stale results', () => {
  it('answers for a superseded attempt are ignored at every stage', () => {
    const sim = liveWithoutSpare();
    sim.obsState('STOPPED');
    const oldMint = sim.lastOf('mint').opId;
    sim.mintFail({ code: 'InternalError', message: 'x', kind: 'server', retryable: true });
    sim.timer('retry');
    const mark = sim.mark();
    sim.mintOk(oldMint); // the first try's mint answering late (already failed)
    expect(sim.kind).toBe('minting');
    expect(sim.since(mark).filter((e) => e.kind !== 'log')).toEqual([]);
    sim.send({ type: 'obs-result', opId: 1, request: 'StartStream', ok: true });
    sim.send({ type: 'lease-result', opId: 2, ok: true, granted: false });
    expect(sim.kind).toBe('minting');
  });

  it('Go live again after Stop uses the same channel and a fresh recovery window', () => {
    const sim = new Sim().goLive();
    sim.send({ type: 'user-stop' });
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('stopped-by-user');
    sim.send({ type: 'user-go-live', channel: CHANNEL });
    sim.status(false);
    expect(sim.kind).toBe('configuring'); // the spare of the same channel is still good
  });
});

describe('OBS quitting right after its Stop button', () => {
  it('STOPPING, then ExitStarted, then STOPPED: OBS is quitting, the intent is kept', () => {
    const sim = new Sim().goLive();
    sim.obsState('STOPPING');
    sim.send({ type: 'obs-exit-started' });
    sim.obsState('STOPPED');
    expect(sim.s).toMatchObject({ kind: 'stopping', via: 'obs' });
    sim.send({ type: 'obs-disconnected', code: 1001 });
    expect(sim.kind).toBe('connecting');
    expect(sim.count('persist-intent')).toBe(1);
  });
});
