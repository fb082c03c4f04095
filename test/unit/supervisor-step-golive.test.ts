/**
 * The supervisor's transition table, driven with a fake clock: Go live (the start path). The other topics sit in
 * supervisor-step-*.test.ts; the races live in supervisor-races.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../shared/supervisor/index.js';
import { CHANNEL, HOUR, Sim } from '../helpers/supervisor-sim.js';

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
    expect(sim.s).toMatchObject({
      kind: 'recovering',
      lastFailure: 'start-failed',
      attempt: { n: 1, trigger: 'go-live' },
    });
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
    sim.mintFail({
      code: 'InvalidAccessKeyId.NotFound',
      message: 'Specified access key is not found.',
      kind: 'auth',
      retryable: false,
      requestId: 'req-x',
    });
    expect(sim.s).toMatchObject({ kind: 'failed', why: { code: 'InvalidAccessKeyId.NotFound', requestId: 'req-x' } });
    expect(sim.lastOf('persist-intent').intent.shouldBeLive).toBe(false);
  });

  it('a StartStream without an answer may still be connecting: wait for its event, never start again blindly', () => {
    const sim = new Sim().toStarting();
    sim.send({
      type: 'obs-result',
      opId: sim.lastObs('StartStream').opId,
      request: 'StartStream',
      ok: false,
      error: { code: 'Timeout', message: 'no answer', kind: 'timeout' },
    });
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
