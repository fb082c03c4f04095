/**
 * The dock's supervisor loads on first use (dock/src/model/lazy-supervisor.ts): idle until the first Go live,
 * resume or obs-websocket close that is not our own; the command given once the chunk is there, Stop during the
 * load dropping it, a chunk that cannot be fetched said as a failure (and tried again), nothing built after
 * dispose. The loader is a promise the test settles, so every step is deterministic.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ObsClosedEvent } from '../../shared/obs-client.js';
import type { ChannelSettings } from '../../shared/api-routes.js';
import type { SupervisorEnv, SupervisorFactory } from '../../dock/src/model/create-model.js';
import { lazySupervisor } from '../../dock/src/model/lazy-supervisor.js';
import { IDLE_SNAPSHOT } from '../../dock/src/model/supervisor-port.js';
import { fakeSupervisor } from '../helpers/dock-fakes.js';

const CHANNEL: ChannelSettings = {
  appId: 'app1',
  channelId: 'room1',
  userId: 'obs1',
  displayName: 'Studio',
  expireTime: 3600,
};

function rig() {
  const sup = fakeSupervisor();
  const loads: Array<{ resolve: (f: SupervisorFactory) => void; reject: (e: unknown) => void }> = [];
  const load = vi.fn(() => new Promise<SupervisorFactory>((resolve, reject) => void loads.push({ resolve, reject })));
  const reportApiError = vi.fn();
  const closed = new Set<(e: ObsClosedEvent) => void>();
  const obs = {
    on: (_event: 'closed', fn: (e: ObsClosedEvent) => void) => (closed.add(fn), () => void closed.delete(fn)),
  };
  const close = (classification: ObsClosedEvent['classification']) =>
    closed.forEach((fn) => fn({ code: 1006, reason: '', classification, wasConnected: false, at: 0 }));
  const env = { now: () => 1_000, random: () => 0.5, reportApiError, obs } as unknown as SupervisorEnv;
  const handle = lazySupervisor(load)(env);
  const flush = () => new Promise<void>((r) => setTimeout(r, 0));
  return { sup, loads, load, reportApiError, handle, flush, close, listeners: () => closed.size };
}

afterEach(() => void vi.useRealTimers());

describe('the dock supervisor, loaded on first use', () => {
  it('is the idle supervisor until a command needs it: nothing is fetched', () => {
    const { handle, load } = rig();
    expect(handle.getSnapshot()).toBe(IDLE_SNAPSHOT);
    expect(handle.entries(10)).toEqual([]);
    expect(handle.exportLog()).toBe('');
    handle.stop();
    handle.retryNow();
    expect(load).not.toHaveBeenCalled();
  });

  it('Go live fetches the chunk once, then gives the command; snapshots follow the real supervisor', async () => {
    const { sup, loads, load, handle, flush } = rig();
    const seen: string[] = [];
    handle.subscribe(() => seen.push(handle.getSnapshot().kind));
    handle.goLive(CHANNEL);
    handle.goLive(CHANNEL); // a second click while loading
    expect(load).toHaveBeenCalledTimes(1);
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.calls).toEqual([{ kind: 'goLive', arg: CHANNEL }]);
    expect(handle.getSnapshot().kind).toBe('connecting');
    sup.set({ kind: 'live' });
    expect(seen.at(-1)).toBe('live');
    handle.stop();
    expect(sup.calls.at(-1)).toEqual({ kind: 'stop' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('resume is a command like Go live', async () => {
    const { sup, loads, handle, flush } = rig();
    handle.resume(CHANNEL);
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.calls).toEqual([{ kind: 'resume', arg: CHANNEL }]);
  });

  it('Stop while the chunk loads drops the Go live: the supervisor is built, never started', async () => {
    const { sup, loads, handle, flush } = rig();
    handle.goLive(CHANNEL);
    handle.stop();
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.calls).toEqual([]);
    expect(sup.env).toBeDefined();
  });

  it('a chunk that cannot be fetched is a failure with the reason; Go live tries again', async () => {
    const { sup, loads, load, reportApiError, handle, flush } = rig();
    handle.goLive(CHANNEL);
    const err = new TypeError('Failed to fetch dynamically imported module');
    loads[0]!.reject(err);
    await flush();
    const snap = handle.getSnapshot();
    expect(snap.kind).toBe('failed');
    expect(snap.lastError?.code).toBe('HelperUnreachable');
    expect(snap.lastError?.message).toContain('Failed to fetch dynamically imported module');
    expect(reportApiError).toHaveBeenCalledWith(err);

    handle.goLive(CHANNEL);
    expect(load).toHaveBeenCalledTimes(2);
    loads[1]!.resolve(sup.factory);
    await flush();
    expect(sup.calls).toEqual([{ kind: 'goLive', arg: CHANNEL }]);
  });

  it('Retry after a failed fetch tries again with the kept command', async () => {
    const { sup, loads, handle, flush } = rig();
    handle.goLive(CHANNEL);
    loads[0]!.reject(new Error('offline'));
    await flush();
    handle.retryNow();
    loads[1]!.resolve(sup.factory);
    await flush();
    expect(sup.calls).toEqual([{ kind: 'goLive', arg: CHANNEL }]);
  });

  it('an OBS close that is not our own fetches it (the supervisor runs the reconnect loop); our own does not', async () => {
    const { sup, loads, load, handle, flush, close, listeners } = rig();
    close('normal');
    expect(load).not.toHaveBeenCalled();
    close('unreachable');
    close('unreachable');
    expect(load).toHaveBeenCalledTimes(1);
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.env).toBeDefined();
    expect(sup.calls).toEqual([]); // built, idle: the runner itself learns the close from the binding
    expect(listeners()).toBe(0); // the real supervisor listens from here on
    close('unreachable');
    expect(load).toHaveBeenCalledTimes(1);
    handle.goLive(CHANNEL);
    expect(sup.calls).toEqual([{ kind: 'goLive', arg: CHANNEL }]);
  });

  it('a chunk fetched for a close that fails is fetched again after a jittered backoff', async () => {
    vi.useFakeTimers();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { sup, loads, load, handle, close } = rig();
    close('lost');
    loads[0]!.reject(new TypeError('Failed to fetch'));
    await vi.advanceTimersByTimeAsync(0);
    expect(handle.getSnapshot().kind).toBe('idle'); // no command failed: nothing to say in the status
    expect(warn.mock.calls[0]?.[0]).toMatch(
      /could not load the supervisor \(Failed to fetch\): trying again in \d+ ms/,
    );
    expect(load).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000); // RECOVERY_BACKOFF: 1 s base, full jitter (random 0.5 -> 500 ms)
    expect(load).toHaveBeenCalledTimes(2);
    loads[1]!.resolve(sup.factory);
    await vi.advanceTimersByTimeAsync(0);
    expect(sup.env).toBeDefined();
    warn.mockRestore();
  });

  it('a Go live whose chunk failed is not given later by a fetch for a close: the user saw it fail', async () => {
    const { sup, loads, handle, flush, close } = rig();
    handle.goLive(CHANNEL);
    loads[0]!.reject(new Error('offline'));
    await flush();
    close('unreachable');
    loads[1]!.resolve(sup.factory);
    await flush();
    expect(sup.env).toBeDefined();
    expect(sup.calls).toEqual([]);
    expect(handle.getSnapshot().kind).toBe('idle'); // the real supervisor's view replaces the failure
  });

  it('Stop forgets a Go live whose chunk failed: Retry then fetches nothing', async () => {
    const { loads, handle, flush } = rig();
    handle.goLive(CHANNEL);
    loads[0]!.reject(new Error('offline'));
    await flush();
    handle.stop();
    handle.retryNow();
    expect(loads).toHaveLength(1);
  });

  it('nothing is built once the dock is disposed', async () => {
    const { sup, loads, handle, flush } = rig();
    handle.goLive(CHANNEL);
    handle.dispose();
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.env).toBeUndefined();
    expect(sup.calls).toEqual([]);
  });
});
