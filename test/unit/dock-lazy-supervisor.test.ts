/**
 * The dock's supervisor loads on first use (dock/src/model/lazy-supervisor.ts): idle until the first Go live,
 * resume or obs-websocket close that is not our own. While it loads for a command the dock says `connecting` and
 * the commands (Stop included) are kept in order for the supervisor; a chunk that does not come is said as a
 * failure and its commands dropped; a link that needs the reconnect loop fetches again after a backoff; a second
 * fetch after a failure reloads the page (Chromium keeps failed modules). The loader is a promise the test settles.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChannelSettings } from '../../shared/api-routes.js';
import type { ObsClosedEvent } from '../../shared/obs-client.js';
import type { SupervisorEnv, SupervisorFactory } from '../../dock/src/model/create-model.js';
import {
  AUTO_RELOAD_MIN_MS,
  LOAD_DEADLINE_MS,
  lazySupervisor,
  type PageReload,
} from '../../dock/src/model/lazy-supervisor.js';
import { IDLE_SNAPSHOT } from '../../dock/src/model/supervisor-port.js';
import { fakeSupervisor } from '../helpers/dock-fakes.js';

const CHANNEL: ChannelSettings = {
  appId: 'app1',
  channelId: 'room1',
  userId: 'obs1',
  displayName: 'Studio',
  expireTime: 3600,
};

function rig(page?: PageReload) {
  const sup = fakeSupervisor();
  const loads: Array<{ resolve: (f: SupervisorFactory) => void; reject: (e: unknown) => void }> = [];
  const load = vi.fn(() => new Promise<SupervisorFactory>((resolve, reject) => void loads.push({ resolve, reject })));
  const reportApiError = vi.fn();
  const apiCalls: unknown[][] = [];
  const closed = new Set<(e: ObsClosedEvent) => void>();
  const obs = {
    state: 'idle' as 'idle' | 'connecting' | 'connected',
    lastClose: undefined as ObsClosedEvent | undefined,
    on: (_event: 'closed', fn: (e: ObsClosedEvent) => void) => (closed.add(fn), () => void closed.delete(fn)),
  };
  const close = (classification: ObsClosedEvent['classification']) => {
    obs.lastClose = { code: 1006, reason: '', classification, wasConnected: false, at: 0 };
    closed.forEach((fn) => fn(obs.lastClose!));
  };
  const api = { call: (...args: unknown[]) => (apiCalls.push(args), Promise.resolve({})) };
  const env = { now: () => 1_000, random: () => 0.5, reportApiError, obs, api } as unknown as SupervisorEnv;
  const handle = lazySupervisor(load, page)(env);
  const flush = () => vi.advanceTimersByTimeAsync(0);
  return { sup, loads, load, reportApiError, apiCalls, handle, flush, close, listeners: () => closed.size };
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

  it('Go live says connecting (locked) while the chunk loads, then gives the command once; snapshots follow', async () => {
    vi.useFakeTimers();
    const { sup, loads, load, handle, flush } = rig();
    handle.goLive(CHANNEL);
    expect(handle.getSnapshot()).toMatchObject({ kind: 'connecting', reason: 'go-live', locked: true });
    expect(load).toHaveBeenCalledTimes(1);
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.calls).toEqual([{ kind: 'goLive', arg: CHANNEL }]);
    sup.set({ kind: 'live' });
    expect(handle.getSnapshot().kind).toBe('live');
    handle.stop();
    expect(sup.calls.at(-1)).toEqual({ kind: 'stop' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('resume is a command like Go live', async () => {
    vi.useFakeTimers();
    const { sup, loads, handle, flush } = rig();
    handle.resume(CHANNEL);
    expect(handle.getSnapshot()).toMatchObject({ kind: 'connecting', reason: 'reconcile' });
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.calls).toEqual([{ kind: 'resume', arg: CHANNEL }]);
  });

  it('Stop while the chunk loads reaches the supervisor after the command, in the order given', async () => {
    vi.useFakeTimers();
    const { sup, loads, handle, flush } = rig();
    handle.resume(CHANNEL);
    handle.stop();
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.calls).toEqual([{ kind: 'resume', arg: CHANNEL }, { kind: 'stop' }]);
  });

  it('a chunk that cannot be fetched for Go live is a failure with the reason; Go live fetches again', async () => {
    vi.useFakeTimers();
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
    expect(vi.getTimerCount()).toBe(0); // the OBS link needs nothing: no background fetch

    handle.goLive(CHANNEL);
    expect(load).toHaveBeenCalledTimes(2);
    loads[1]!.resolve(sup.factory);
    await flush();
    expect(sup.calls).toEqual([{ kind: 'goLive', arg: CHANNEL }]);
  });

  it('a chunk that never answers fails after the deadline', async () => {
    vi.useFakeTimers();
    const { handle, flush } = rig();
    handle.goLive(CHANNEL);
    await vi.advanceTimersByTimeAsync(LOAD_DEADLINE_MS - 1);
    expect(handle.getSnapshot().kind).toBe('connecting');
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(handle.getSnapshot().lastError?.message).toContain(`no answer within ${LOAD_DEADLINE_MS / 1000} s`);
  });

  it('Stop during a load that fails: idle, nothing started, the intent turned off', async () => {
    vi.useFakeTimers();
    const { sup, loads, apiCalls, handle, flush } = rig();
    handle.resume(CHANNEL);
    handle.stop();
    loads[0]!.reject(new Error('offline'));
    await flush();
    expect(handle.getSnapshot()).toBe(IDLE_SNAPSHOT);
    expect(apiCalls).toEqual([['putIntent', { shouldBeLive: false, by: 'dock' }]]);
    expect(sup.calls).toEqual([]);
  });

  it('an OBS close that is not our own fetches it (the supervisor runs the reconnect loop); our own does not', async () => {
    vi.useFakeTimers();
    const { sup, loads, load, handle, flush, close, listeners } = rig();
    close('normal');
    expect(load).not.toHaveBeenCalled();
    close('unreachable');
    close('unreachable');
    expect(load).toHaveBeenCalledTimes(1);
    expect(handle.getSnapshot()).toBe(IDLE_SNAPSHOT); // no command: nothing to say in the status
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.env).toBeDefined();
    expect(sup.calls).toEqual([]); // built, idle: the runner itself learns the close from the binding
    expect(listeners()).toBe(0); // the real supervisor listens from here on
    handle.goLive(CHANNEL);
    expect(sup.calls).toEqual([{ kind: 'goLive', arg: CHANNEL }]);
  });

  it('while the OBS link is down, a failed fetch is tried again after a jittered backoff, not its Go live', async () => {
    vi.useFakeTimers();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { sup, loads, load, handle, flush, close } = rig();
    handle.goLive(CHANNEL);
    close('lost'); // during the load: the fetch in flight serves both
    expect(load).toHaveBeenCalledTimes(1);
    loads[0]!.reject(new TypeError('Failed to fetch'));
    await flush();
    expect(handle.getSnapshot().kind).toBe('failed');
    expect(warn.mock.calls[0]?.[0]).toMatch(
      /could not load the supervisor \(Failed to fetch\): trying again in \d+ ms/,
    );
    await vi.advanceTimersByTimeAsync(1_000); // RECOVERY_BACKOFF: 1 s base, full jitter (random 0.5 -> 500 ms)
    expect(load).toHaveBeenCalledTimes(2);
    loads[1]!.resolve(sup.factory);
    await flush();
    expect(sup.env).toBeDefined();
    expect(sup.calls).toEqual([]); // the user saw the Go live fail: it is not given later
    warn.mockRestore();
  });

  it('nothing is built once the dock is disposed', async () => {
    vi.useFakeTimers();
    const { sup, loads, handle, flush } = rig();
    handle.goLive(CHANNEL);
    handle.dispose();
    loads[0]!.resolve(sup.factory);
    await flush();
    expect(sup.env).toBeUndefined();
    expect(sup.calls).toEqual([]);
  });
});

/** A page whose reloads are counted; `since` is what the tab remembers of its last one. */
function fakePage(since?: number) {
  const page = {
    answers: true,
    reloads: 0,
    since,
    helperAnswers: () => Promise.resolve(page.answers),
    reload: () => void (page.reloads++, (page.since = 0)),
    sinceLastReload: () => page.since,
  };
  return page;
}

describe('after a failed load, the page is reloaded instead (Chromium keeps failed modules)', () => {
  it('a Go live after the failure reloads the page once the helper answers; the chunk is not imported again', async () => {
    vi.useFakeTimers();
    const page = fakePage(1_000); // it reloaded a second ago: a user's command may reload all the same
    const { loads, load, handle, flush } = rig(page);
    handle.goLive(CHANNEL);
    loads[0]!.reject(new Error('gone'));
    await flush();
    page.answers = false;
    handle.goLive(CHANNEL);
    await flush();
    expect(page.reloads).toBe(0);
    expect(handle.getSnapshot().kind).toBe('failed'); // 'the helper does not answer'
    page.answers = true;
    handle.goLive(CHANNEL);
    await flush();
    expect(page.reloads).toBe(1);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('the OBS link retry reloads at most every AUTO_RELOAD_MIN_MS: a chunk that keeps failing cannot loop', async () => {
    vi.useFakeTimers();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const page = fakePage(AUTO_RELOAD_MIN_MS - 10_000); // the tab reloaded for this under 5 min ago
    const { loads, load, handle, flush, close } = rig(page);
    close('unreachable');
    loads[0]!.reject(new Error('gone'));
    await flush();
    await vi.advanceTimersByTimeAsync(1_000); // the backoff: a plain import again, no reload
    expect(page.reloads).toBe(0);
    expect(load).toHaveBeenCalledTimes(2);
    loads[1]!.reject(new Error('gone'));
    await flush();
    page.since = AUTO_RELOAD_MIN_MS;
    await vi.advanceTimersByTimeAsync(2_000); // the next backoff (0-2 s): now a reload is allowed
    expect(page.reloads).toBe(1);
    expect(handle.getSnapshot()).toBe(IDLE_SNAPSHOT);
    warn.mockRestore();
  });

  it('a supervisor that throws while being built is a failed load, not a dock stuck connecting', async () => {
    vi.useFakeTimers();
    const { loads, handle, flush } = rig();
    handle.goLive(CHANNEL);
    loads[0]!.resolve(() => {
      throw new Error('boom');
    });
    await flush();
    expect(handle.getSnapshot()).toMatchObject({ kind: 'failed', lastError: { code: 'HelperUnreachable' } });
  });
});
