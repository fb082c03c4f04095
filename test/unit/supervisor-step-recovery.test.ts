/**
 * The supervisor's transition table, driven with a fake clock: recovery and its backoff, the storm, resume and
 * the lease, the obs-websocket reconnect loop.
 */
import { describe, expect, it } from 'vitest';
import { CHANNEL, Sim } from '../helpers/supervisor-sim.js';

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
    sim.mintFail({
      code: 'Throttling.User',
      message: 'flow control',
      kind: 'throttling',
      retryable: true,
      retryAfterMs: 7_000,
    });
    expect(sim.timerMs('retry')).toBeGreaterThanOrEqual(7_000);
  });

  it('"Retry now" tries at once and cancels the countdown', () => {
    const sim = new Sim().goLive();
    sim.obsState('STOPPED');
    sim.obsFail('SetStreamServiceSettings', 702);
    expect(sim.kind).toBe('recovering');
    sim.send({ type: 'user-retry-now' });
    // the refused Set never published the URL: try 2 sets it again, no Create call
    expect(sim.s).toMatchObject({ kind: 'configuring', attempt: { n: 2 } });
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
    expect(sim.s).toMatchObject({
      kind: 'failed',
      why: { code: 'LeaseHeld', message: expect.stringContaining('run-laptop') },
    });
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
