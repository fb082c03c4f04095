/**
 * shared/obs-binding.ts, the one ObsClient -> runner binding the dock and `run` share: the port forwards calls and
 * the caller's reconnect; the client's events arrive in the runner as the supervisor's OBS events.
 */
import { describe, expect, it, vi } from 'vitest';
import { ObsClient } from '../../shared/obs-client.js';
import { bindObsEvents, obsPort, realTimers } from '../../shared/obs-binding.js';
import type { SupervisorRunner } from '../../shared/supervisor/index.js';
import { fakeSocketFactory } from '../helpers/fake-obs-socket.js';

const URL = 'ws://127.0.0.1:4455';

function setup() {
  const factory = fakeSocketFactory({ handlers: { GetStreamStatus: () => ({ outputActive: true }) } });
  const client = new ObsClient({ createSocket: factory.createSocket, warn: vi.fn() });
  const dispatched: Parameters<SupervisorRunner['dispatch']>[0][] = [];
  const runner = { dispatch: (e: Parameters<SupervisorRunner['dispatch']>[0]) => void dispatched.push(e) };
  return { client, factory, runner, dispatched };
}

describe('obsPort', () => {
  it("forwards calls to the client and reconnects through the caller's function", async () => {
    const { client } = setup();
    const reconnect = vi.fn(() => client.connect(URL, 'pw'));
    const port = obsPort(client, reconnect);
    await expect(port.reconnect()).resolves.toBeUndefined();
    expect(reconnect).toHaveBeenCalledOnce();
    await expect(port.call('GetStreamStatus')).resolves.toEqual({ outputActive: true });
  });
});

describe('bindObsEvents', () => {
  it('feeds connected, StreamStateChanged, ExitStarted and closed into the runner, until unbound', async () => {
    const { client, factory, runner, dispatched } = setup();
    const unbind = bindObsEvents(client, runner);
    await client.connect(URL, 'pw');
    factory.last.send('StreamStateChanged', { outputActive: true, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED' });
    factory.last.send('ExitStarted', {});
    factory.last.teardown(1006, 'gone');
    expect(dispatched.map((e) => e.type)).toEqual([
      'obs-connected',
      'obs-stream-state',
      'obs-exit-started',
      'obs-disconnected',
    ]);
    expect(dispatched[1]).toEqual({
      type: 'obs-stream-state',
      outputActive: true,
      outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED',
    });
    expect(dispatched[3]).toMatchObject({ type: 'obs-disconnected', code: 1006, reason: 'gone' });
    unbind();
    await client.connect(URL, 'pw');
    expect(dispatched).toHaveLength(4);
  });

  it('tells the runner at once when the client is already connected (the dock binds after connecting)', async () => {
    const { client, runner, dispatched } = setup();
    await client.connect(URL, 'pw');
    bindObsEvents(client, runner);
    expect(dispatched).toEqual([{ type: 'obs-connected' }]);
  });

  it('tells the runner the last close when the client is idle after one (the dock loads its supervisor late)', async () => {
    const { client, factory, runner, dispatched } = setup();
    bindObsEvents(client, runner)(); // nothing happened yet: nothing to tell
    expect(dispatched).toEqual([]);
    await client.connect(URL, 'pw');
    factory.last.teardown(4009, 'Authentication failed.');
    bindObsEvents(client, runner);
    expect(dispatched).toEqual([
      { type: 'obs-disconnected', code: 4009, reason: 'Authentication failed.', closeClass: 'auth-failed' },
    ]);
  });
});

describe('realTimers', () => {
  it('runs and cancels with setTimeout', async () => {
    const fired = vi.fn();
    realTimers.clearTimer(realTimers.setTimer(fired, 1));
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).not.toHaveBeenCalled();
  });
});
