/**
 * Supervisor bugs found by the chaos test (test/integration/chaos.test.ts, real OBS 29 + the sandbox), each
 * pinned as a row of the transition table with the seed that found it.
 */
import { describe, expect, it } from 'vitest';
import { Sim } from '../helpers/supervisor-sim.js';

describe("the dock's Stop while our StartStream is out but OBS has not said STARTING yet", () => {
  // ARTC_CHAOS_SEED=7, "dock-mid-recovery": kick -> obs-stopped -> the spare set -> StartStream sent; Stop pressed
  // 47 ms later, before the supervisor's session got STARTING (OBS's output was still 'stopped' as far as it knew):
  // supervision ended at once without stopping OBS, and OBS reached STARTED and streamed on after the user's Stop.

  it('on Go live: waits for the outcome, then stops OBS; nothing is started again', () => {
    const sim = new Sim().toStarting(); // StartStream sent, no StreamStateChanged yet
    const mark = sim.mark();
    sim.send({ type: 'user-stop' });
    expect(sim.s).toMatchObject({ kind: 'stopping', via: 'dock' });
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(0); // still connecting: StopStream would answer 501
    expect(sim.timerMs('stop-timeout')).toBeGreaterThan(0);
    sim.obsOk('StartStream');
    sim.obsState('STARTING');
    sim.obsState('STARTED');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(1);
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('stopped-by-user');
    expect(sim.obsCalls('StartStream', mark)).toHaveLength(0);
    expect(sim.lastOf('persist-intent').intent.shouldBeLive).toBe(false);
  });

  it('in a recovery (kick, the spare, StartStream out): the same', () => {
    const sim = new Sim().goLive();
    sim.obsState('STOPPED'); // kicked: the output failed
    sim.obsOk('SetStreamServiceSettings'); // the spare URL: no Create call
    expect(sim.kind).toBe('starting');
    const mark = sim.mark();
    sim.send({ type: 'user-stop' });
    expect(sim.kind).toBe('stopping');
    sim.obsState('STARTING');
    sim.obsState('STARTED');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(1);
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('stopped-by-user');
    expect(sim.obsCalls('StartStream', mark)).toHaveLength(0);
    expect(sim.obsCalls('SetStreamServiceSettings', mark)).toHaveLength(0);
  });

  it('when that start fails (STOPPED without STARTED): stopped-by-user, nothing to stop', () => {
    const sim = new Sim().toStarting();
    const mark = sim.mark();
    sim.send({ type: 'user-stop' });
    sim.obsState('STARTING');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('stopped-by-user');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(0);
  });

  it('when OBS refuses that StartStream: nothing started, stopped-by-user at once', () => {
    const sim = new Sim().toStarting();
    const mark = sim.mark();
    sim.send({ type: 'user-stop' });
    sim.obsFail('StartStream', 205);
    expect(sim.kind).toBe('stopped-by-user');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(0);
    expect(sim.obsCalls('StartStream', mark)).toHaveLength(0);
  });

  it('when it answers 500 OutputRunning (OBS streams already): stops it', () => {
    const sim = new Sim().toStarting();
    const mark = sim.mark();
    sim.send({ type: 'user-stop' });
    sim.obsFail('StartStream', 500);
    expect(sim.kind).toBe('stopping');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(1);
    sim.obsState('STOPPING');
    sim.obsState('STOPPED');
    expect(sim.kind).toBe('stopped-by-user');
  });

  it('when its answer is lost (deadline, closed socket): the outcome event still decides', () => {
    const sim = new Sim().toStarting();
    const mark = sim.mark();
    sim.send({ type: 'user-stop' });
    sim.send({
      type: 'obs-result',
      opId: sim.lastObs('StartStream').opId,
      request: 'StartStream',
      ok: false,
      error: { code: 'Timeout', message: 'no answer', kind: 'timeout' },
    });
    expect(sim.kind).toBe('stopping');
    sim.obsState('STARTED');
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(1);
  });
});

describe('OBS quits while a recovery sets its URL: the unpublished URL is kept, not minted again', () => {
  // ARTC_CHAOS_SEED=367750822, fault #41 "obs-restart [SIGINT mid-recovery]": the Set failed as OBS quit
  // (configuring -> recovering), the retry minted, OBS went away again mid-Set (configuring -> connecting), the
  // next try minted again, then the spare: 3 Create calls for one fault (the chaos bound is 2).

  it('a refused Set: the next try sets the same URL, with no Create call', () => {
    const sim = new Sim({ preMint: false }).goLive();
    sim.obsState('STOPPED');
    sim.mintOk();
    const url = sim.s.kind === 'configuring' ? sim.s.url : null;
    const mark = sim.mark();
    sim.obsFail('SetStreamServiceSettings', 702);
    expect(sim.s.ctx.spare).toEqual(url);
    sim.send({ type: 'user-retry-now' });
    expect(sim.s).toMatchObject({ kind: 'configuring', url });
    expect(sim.count('mint', mark)).toBe(0);
    sim.finishRecovery();
  });

  it('a spare already there stays; a URL too close to expiry is not kept', () => {
    const kept = new Sim().goLive(); // preMint: the spare is ready
    const spare = kept.s.ctx.spare;
    kept.obsState('STOPPED'); // the recovery takes the spare: the slot is empty while it sets it
    kept.send({ type: 'user-stop' }); // leaves configuring without a StartStream: the URL goes back to the slot
    expect(kept.s.ctx.spare).toEqual(spare);

    const short = new Sim({ preMint: false }).goLive();
    short.obsState('STOPPED');
    short.mintOk(undefined, 30_000); // a 30 s URL, usable for half its life
    short.advance(20_000).obsFail('SetStreamServiceSettings', 702);
    expect(short.s.ctx.spare).toBeNull();
  });
});
