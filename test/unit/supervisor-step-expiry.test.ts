/**
 * The supervisor's transition table, driven with a fake clock: expiry (never stop a healthy stream, keep a fresh
 * URL ready) and short-lived URLs.
 */
import { describe, expect, it } from 'vitest';
import { CHANNEL, HOUR, Sim } from '../helpers/supervisor-sim.js';

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
