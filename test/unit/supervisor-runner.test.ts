/**
 * The runner with fake ports and a fake clock: effects executed through the ports, one timer per id, a deadline
 * on every call, stale results ignored, the action log and the snapshot. The fakes (an OBS that behaves as obs.md
 * says) are in test/helpers/runner-fakes.ts.
 */
import { describe, expect, it } from 'vitest';
import { ActionLog } from '../../shared/supervisor/index.js';
import { normalizeApiError, normalizeObsError } from '../../shared/supervisor/port-errors.js';
import { CHANNEL, HOUR, T0 } from '../helpers/supervisor-sim.js';
import { goLive, setup } from '../helpers/runner-fakes.js';

describe('SupervisorRunner', () => {
  it('runs Go live end to end through the ports, logs every transition, exposes the snapshot', async () => {
    const t = setup();
    await goLive(t);
    expect(t.obs.calls).toEqual(['GetStreamStatus', 'SetStreamServiceSettings', 'StartStream']);
    expect(t.api.mints).toBe(2); // the URL and the spare
    expect(t.saved).toEqual([expect.objectContaining({ shouldBeLive: true, channel: CHANNEL })]);
    const snap = t.runner.snapshot();
    expect(snap).toMatchObject({
      kind: 'live',
      locked: true,
      presence: { status: 'present' },
      obs: { connected: true, output: 'started' },
      nextTryAt: null,
      lastError: null,
    });
    expect(snap.url).toMatchObject({ requestId: 'req-m1', expiresAt: T0 + 10 * HOUR });
    expect(snap.spareExpiresAt).not.toBeNull();
    const path = t.runner.log
      .entries()
      .filter((e) => e.from)
      .map((e) => e.to);
    expect(path).toEqual(['connecting', 'minting', 'configuring', 'starting', 'confirming', 'live']);
    expect(t.runner.log.entries().find((e) => e.to === 'configuring')?.requestIds).toEqual(['req-m1']);
  });

  it('takes over a RECONNECTING at once: StartStream 30 ms after the drop (the STOPPED), live after presence', async () => {
    const t = setup();
    await goLive(t);
    await t.clock.advance(10_000);
    const drop = t.clock.time;
    t.obs.emit('RECONNECTING');
    await t.clock.advance(1_000);
    expect(t.runner.state.kind).toBe('live');
    const starts = t.obs.callTimes.StartStream!;
    expect(starts).toHaveLength(2);
    expect(starts[1]! - drop).toBe(30); // only OBS's own STOPPED stood between the drop and the new start
    expect(t.api.mints).toBe(3); // one Create for this recovery: the next spare
    expect(t.runner.snapshot().counters).toMatchObject({
      recoveries: 1,
      recoveriesByReason: { 'obs-reconnecting': 1 },
    });
    expect(t.runner.snapshot().counters.offAirMs).toBeGreaterThan(0);
  });

  it('puts a deadline on every call: a hung GetStreamStatus fails after 5 s and is asked again', async () => {
    const t = setup();
    t.obs.hang.add('GetStreamStatus');
    t.runner.goLive(CHANNEL);
    await t.clock.advance(4_999);
    expect(t.runner.log.entries().some((e) => e.reason === 'status-failed')).toBe(false);
    await t.clock.advance(1);
    expect(t.runner.log.entries().find((e) => e.reason === 'status-failed')?.message).toContain(
      'no answer within 5000 ms',
    );
    t.obs.hang.clear();
    await t.clock.advance(3_000);
    expect(t.runner.state.kind).toBe('live');
  });

  it('keeps one timer per id: an hour live leaves only a handful pending', async () => {
    const t = setup();
    await goLive(t);
    await t.clock.advance(HOUR);
    expect(t.runner.state.kind).toBe('live');
    expect(t.clock.pending).toBeLessThanOrEqual(3); // poll, refresh-url, and at most one call deadline
  });

  it('ignores a result from a superseded attempt: a slow mint after Stop sets nothing', async () => {
    const t = setup({ config: { preMint: false } });
    t.api.mintDelay = 3_000;
    t.runner.goLive(CHANNEL);
    await t.clock.advance(1_000);
    expect(t.runner.state.kind).toBe('minting');
    t.runner.stop();
    expect(t.runner.state.kind).toBe('stopped-by-user');
    await t.clock.advance(5_000);
    expect(t.obs.calls).toEqual(['GetStreamStatus']);
    expect(t.saved.at(-1)).toMatchObject({ shouldBeLive: false });
  });

  it('queues events dispatched while a step runs (an OBS event inside a port call)', async () => {
    const t = setup();
    const call = t.obs.call.bind(t.obs);
    t.obs.call = (type, data) => {
      if (type === 'StopStream')
        t.obs.dispatch({ type: 'obs-stream-state', outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPING', outputActive: true });
      return call(type, data);
    };
    await goLive(t);
    t.obs.emit('RECONNECTING');
    await t.clock.advance(1_000);
    expect(t.runner.state.kind).toBe('live'); // the synchronous STOPPING was ours, not a user stop
  });

  it('slows polling when DescribeChannelParticipants is throttled', async () => {
    const t = setup();
    await goLive(t);
    t.api.participantsError = Object.assign(new Error('flow control'), {
      code: 'Throttling.User',
      kind: 'throttling',
      retryable: true,
      requestId: 'req-t',
    });
    await t.clock.advance(60_000);
    const throttled = t.runner.log.entries().filter((e) => e.reason === 'poll-throttled');
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    expect(throttled.length).toBeLessThanOrEqual(4); // 5 s, 10 s, 20 s, 40 s ... not 12 polls a minute
    expect(throttled[0]!.requestIds).toEqual(['req-t']);
    expect(t.runner.state.kind).toBe('live');
  });

  it('shows the countdown while recovering; "Retry now" tries at once', async () => {
    const t = setup({ config: { preMint: false } });
    await goLive(t);
    const mint = t.api.mint.bind(t.api);
    t.api.mint = () =>
      Promise.reject(
        Object.assign(new Error('busy'), {
          code: 'ServiceUnavailable',
          kind: 'server',
          retryable: true,
          requestId: 'req-503',
        }),
      );
    t.obs.emit('STOPPED');
    await t.clock.advance(0);
    const snap = t.runner.snapshot();
    expect(snap).toMatchObject({
      kind: 'recovering',
      attempt: 1,
      trigger: 'obs-stopped',
      lastError: { code: 'ServiceUnavailable', requestId: 'req-503' },
    });
    expect(snap.nextTryAt).toBeGreaterThanOrEqual(t.clock.time);
    t.api.mint = mint;
    t.runner.retryNow();
    await t.clock.advance(1_000);
    expect(t.runner.state.kind).toBe('live');
  });

  it('logs a failed intent save and carries on', async () => {
    const t = setup({ intent: { save: () => Promise.reject(new Error('helper down')) } });
    await goLive(t);
    expect(t.runner.log.entries().find((e) => e.reason === 'intent-save-failed')).toMatchObject({ level: 'warn' });
  });

  it('dispose clears every timer and ignores later results', async () => {
    const t = setup();
    await goLive(t);
    t.runner.dispose();
    expect(t.clock.pending).toBeLessThanOrEqual(1); // a call deadline may still be armed: harmless
    const before = t.runner.log.entries().length;
    t.obs.emit('STOPPED');
    await t.clock.advance(10_000);
    expect(t.runner.log.entries().length).toBe(before);
  });

  it('notifies subscribers with a snapshot after each batch', async () => {
    const t = setup();
    const seen: string[] = [];
    const off = t.runner.subscribe((s) => seen.push(s.kind));
    await goLive(t);
    off();
    expect(seen[0]).toBe('connecting');
    expect(seen.at(-1)).toBe('live');
  });
});

describe('ActionLog', () => {
  it('keeps the newest entries in a ring; counters survive; JSON lines never carry the stream key', async () => {
    const t = setup({ log: new ActionLog({ capacity: 5 }) });
    await goLive(t);
    t.obs.emit('STOPPED');
    await t.clock.advance(2_000);
    const entries = t.runner.log.entries();
    expect(entries).toHaveLength(5);
    expect(entries.at(-1)!.at).toBeGreaterThanOrEqual(entries[0]!.at);
    expect(t.runner.log.counters()).toMatchObject({ recoveries: 1, recoveriesByReason: { 'obs-stopped': 1 } });
    const full = new ActionLog();
    const u = setup({ log: full });
    await goLive(u);
    const lines = full.toJsonLines();
    expect(lines.endsWith('\n')).toBe(true);
    for (const line of lines.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines).not.toContain('tok-secret');
    expect(lines).not.toContain('auth_key');
  });

  it('drops entries below minLevel but still counts them', () => {
    const log = new ActionLog({ minLevel: 'warn' });
    log.append({ at: 1, level: 'info', reason: 'off-air-ended', message: 'x', offAirMs: 250 });
    log.append({ at: 2, level: 'warn', reason: 'obs-stopped', message: 'y', recovery: 'obs-stopped' });
    expect(log.entries().map((e) => e.reason)).toEqual(['obs-stopped']);
    expect(log.counters()).toMatchObject({ offAirMs: 250, recoveries: 1, lastRecoveryAt: 2 });
  });
});

describe('port error normalisation', () => {
  it('reads OBS request statuses, close classes and cloud errors', () => {
    expect(normalizeObsError(Object.assign(new Error('not running'), { code: 501 }))).toMatchObject({
      code: '501',
      status: 501,
    });
    expect(
      normalizeObsError(Object.assign(new Error('closed'), { kind: 'closed', code: 4009, closeClass: 'auth-failed' })),
    ).toMatchObject({ code: 'Close4009', kind: 'auth-failed', status: undefined });
    expect(
      normalizeApiError(
        Object.assign(new Error('flow'), {
          code: 'Throttling.User',
          kind: 'throttling',
          retryable: true,
          requestId: 'r1',
          retryAfterMs: 900,
        }),
      ),
    ).toEqual({
      code: 'Throttling.User',
      message: 'flow',
      requestId: 'r1',
      retryable: true,
      kind: 'throttling',
      retryAfterMs: 900,
    });
  });
});
