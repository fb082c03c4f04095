/**
 * ObsClient over a fake obs-websocket transport, on fake timers: connect, call, disconnect, events, an odd
 * transport. The pure classifiers and the reconnect delay are in obs-client-classify.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OBSWebSocket } from 'obs-websocket-js';
import {
  classifyRequestError,
  nextObsReconnectDelay,
  ObsClient,
  ObsClientError,
  type ObsClientOptions,
  type ObsClosedEvent,
  type OBSWebSocketLike,
} from '../../shared/obs-client.js';
import { FakeObsError, fakeSocketFactory, HANG, type FakeOptions } from '../helpers/fake-obs-socket.js';

// compile-time: the real obs-websocket-js class fits the injected transport
const realFits: OBSWebSocket extends OBSWebSocketLike ? true : false = true;
void realFits;

const URL = 'ws://127.0.0.1:4455';

function setup(fake: FakeOptions = {}, opts: Partial<ObsClientOptions> = {}) {
  const factory = fakeSocketFactory(fake);
  const warn = vi.fn();
  const client = new ObsClient({ createSocket: factory.createSocket, warn, ...opts });
  const closed: ObsClosedEvent[] = [];
  client.on('closed', (e) => closed.push(e));
  return { client, factory, warn, closed };
}

async function connected(fake: FakeOptions = {}, opts: Partial<ObsClientOptions> = {}) {
  const t = setup(fake, opts);
  await t.client.connect(URL, 'pw');
  return { ...t, socket: t.factory.last };
}

/** Settles a promise into a value or error so a test can assert on it after advancing time. */
function settle<T>(p: Promise<T>) {
  const out: { value?: T; error?: unknown; done: boolean } = { done: false };
  p.then(
    (v) => Object.assign(out, { value: v, done: true }),
    (e: unknown) => Object.assign(out, { error: e, done: true }),
  );
  return out;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ObsClient.connect', () => {
  it('identifies with rpcVersion 1, General|Outputs events, and reports the connection', async () => {
    const { client, factory } = setup();
    const onConnected = vi.fn();
    client.on('connected', onConnected);
    const info = await client.connect(URL, 'pw');
    expect(info).toMatchObject({ url: URL, obsWebSocketVersion: '5.1.0', negotiatedRpcVersion: 1 });
    expect(factory.last.connects).toEqual([
      { url: URL, password: 'pw', identification: { rpcVersion: 1, eventSubscriptions: 65 } },
    ]);
    expect(onConnected).toHaveBeenCalledOnce();
    expect(client.state).toBe('connected');
  });

  it('rejects with a timeout at the deadline, closes the half-open socket, reports unreachable', async () => {
    const { client, factory, closed } = setup({ connect: 'hang' }, { connectTimeoutMs: 3_000 });
    const r = settle(client.connect(URL, 'pw'));
    expect(client.state).toBe('connecting');
    await vi.advanceTimersByTimeAsync(2_999);
    expect(r.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.error).toBeInstanceOf(ObsClientError);
    expect(r.error).toMatchObject({ kind: 'timeout' });
    expect(factory.last.disconnectCalls).toBe(1);
    expect(closed).toMatchObject([{ code: 1006, classification: 'unreachable', wasConnected: false }]);
    expect(client.state).toBe('idle');
  });

  it('a wrong password closes 4009: auth-failed, one closed event, no reconnect delay until a new password', async () => {
    const { client, closed } = setup({ password: 'right' });
    const err = await client.connect(URL, 'wrong').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'closed', code: 4009, closeClass: 'auth-failed' });
    expect(closed).toMatchObject([{ code: 4009, classification: 'auth-failed', wasConnected: false }]);
    expect(nextObsReconnectDelay({ attempt: 1, closeClass: 'auth-failed', random: 0.5 })).toBeNull();
  });

  it('a refused connection (error code -1, no close event) still ends in one closed 1006', async () => {
    const { client, factory, closed } = setup();
    const sock = factory.createSocket();
    vi.spyOn(sock, 'connect').mockRejectedValue(new FakeObsError(-1, 'connect ECONNREFUSED 127.0.0.1:4455'));
    const refused = new ObsClient({ createSocket: () => sock, warn: vi.fn() });
    refused.on('closed', (e) => closed.push(e));
    const err = await refused.connect(URL).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'closed', code: 1006, closeClass: 'unreachable' });
    expect(closed).toHaveLength(1);
    expect(client.state).toBe('idle');
  });

  it('joins an in-flight connect to the same URL (single flight) and refuses another URL meanwhile', async () => {
    const { client, factory } = setup();
    const a = client.connect(URL, 'pw');
    const b = client.connect(URL, 'pw');
    await expect(client.connect('ws://127.0.0.1:1', 'pw')).rejects.toMatchObject({ kind: 'busy' });
    expect(await a).toBe(await b);
    expect(factory.sockets).toHaveLength(1);
  });

  it('a new connect after a close uses a fresh socket; the old one can no longer emit', async () => {
    const { client, factory, socket } = await connected();
    socket.teardown(1006);
    await client.connect(URL, 'pw');
    expect(factory.sockets).toHaveLength(2);
    expect(socket.listenerCount('StreamStateChanged')).toBe(0);
    expect(client.state).toBe('connected');
  });
});

describe('ObsClient.call', () => {
  it('resolves with the response data', async () => {
    const { client, socket } = await connected();
    await expect(client.call('GetVersion')).resolves.toMatchObject({ obsVersion: '29.0.2' });
    expect(socket.received).toEqual([{ requestType: 'GetVersion', requestData: undefined }]);
  });

  it('rejects at its deadline (default 5 s, per-call override)', async () => {
    const { client } = await connected({ handlers: { GetStreamStatus: () => HANG } });
    const byDefault = settle(client.call('GetStreamStatus'));
    const short = settle(client.call('GetStreamStatus', undefined, 1_000));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(short.error).toMatchObject({ kind: 'timeout', requestType: 'GetStreamStatus' });
    await vi.advanceTimersByTimeAsync(3_999);
    expect(byDefault.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(byDefault.error).toMatchObject({ kind: 'timeout' });
    expect(classifyRequestError(byDefault.error)).toEqual({ kind: 'timeout', retryable: true });
  });

  it('rejects every pending call when the socket closes (obs-websocket-js #358 leaves them hanging)', async () => {
    const { client, socket, closed } = await connected({ handlers: { StartStream: () => HANG, GetStats: () => HANG } });
    const a = settle(client.call('StartStream'));
    const b = settle(client.call('GetStats'));
    socket.teardown(1006, '');
    await vi.advanceTimersByTimeAsync(0);
    expect(a.error).toMatchObject({ kind: 'closed', code: 1006, closeClass: 'lost', requestType: 'StartStream' });
    expect(b.error).toMatchObject({ kind: 'closed', closeClass: 'lost' });
    expect(closed).toMatchObject([{ code: 1006, classification: 'lost', wasConnected: true }]);
    // an unknown outcome: never re-send a StartStream blindly
    expect(classifyRequestError(a.error)).toMatchObject({ kind: 'disconnected', retryable: false });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('maps request failures to ObsClientError with the status code', async () => {
    const { client } = await connected({
      handlers: {
        StartStream: () => {
          throw new FakeObsError(500, 'The stream output is already running.');
        },
        StopStream: () => {
          throw new FakeObsError(501, 'The stream output is not running.');
        },
        SetStreamServiceSettings: () => {
          throw new FakeObsError(500, 'You cannot change stream service settings while streaming.');
        },
      },
    });
    const start = await client.call('StartStream').catch((e: unknown) => e);
    expect(start).toMatchObject({ kind: 'request', code: 500, requestType: 'StartStream' });
    expect(classifyRequestError(start)).toEqual({ kind: 'already-so', retryable: false, code: 500 });
    expect(classifyRequestError(await client.call('StopStream').catch((e: unknown) => e))).toMatchObject({
      kind: 'already-so',
    });
    const set = await client
      .call('SetStreamServiceSettings', { streamServiceType: 'rtmp_custom', streamServiceSettings: {} })
      .catch((e: unknown) => e);
    expect(classifyRequestError(set)).toMatchObject({ kind: 'output-busy', retryable: false });
  });

  it('rejects at once when not connected', async () => {
    const { client } = setup();
    await expect(client.call('GetVersion')).rejects.toMatchObject({ kind: 'not-connected' });
  });
});

describe('ObsClient.disconnect', () => {
  it('rejects pending calls, reports normal, and returns even when the close frame never comes', async () => {
    const { client, closed } = await connected(
      { disconnect: 'hang', handlers: { GetStats: () => HANG } },
      { connectTimeoutMs: 2_000 },
    );
    const pending = settle(client.call('GetStats'));
    const done = settle(client.disconnect());
    await vi.advanceTimersByTimeAsync(0);
    expect(pending.error).toMatchObject({ kind: 'closed', closeClass: 'normal' });
    expect(closed).toMatchObject([{ classification: 'normal', wasConnected: true }]);
    expect(client.state).toBe('idle');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(done.done).toBe(true);
    expect(nextObsReconnectDelay({ attempt: 1, closeClass: 'normal', random: 0.5 })).toBeNull();
  });
});

describe('ObsClient events', () => {
  it('passes valid StreamStateChanged and ExitStarted on', async () => {
    const { client, socket } = await connected();
    const states: unknown[] = [];
    const exits = vi.fn();
    client.on('StreamStateChanged', (e) => states.push(e));
    client.on('ExitStarted', exits);
    socket.send('StreamStateChanged', { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTING' });
    socket.send('StreamStateChanged', { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_RECONNECTING' });
    socket.send('ExitStarted');
    expect(states).toEqual([
      { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTING' },
      { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_RECONNECTING' },
    ]);
    expect(exits).toHaveBeenCalledOnce();
  });

  it.each([
    ['missing outputActive', { outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED' }],
    ['unknown state', { outputActive: true, outputState: 'OBS_WEBSOCKET_OUTPUT_EXPLODED' }],
    ['wrong type', { outputActive: 'yes', outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED' }],
    ['no data', undefined],
    ['null', null],
  ])('drops a malformed StreamStateChanged (%s) with a warning, without throwing', async (_, data) => {
    const { client, socket, warn } = await connected();
    const states = vi.fn();
    client.on('StreamStateChanged', states);
    expect(() => socket.send('StreamStateChanged', data)).not.toThrow();
    expect(states).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('malformed StreamStateChanged'), expect.anything());
  });

  it('a throwing listener is reported and does not stop the others; unsubscribe works', async () => {
    const { client, socket, warn } = await connected();
    const second = vi.fn();
    client.on('StreamStateChanged', () => {
      throw new Error('boom');
    });
    const off = client.on('StreamStateChanged', second);
    socket.send('StreamStateChanged', { outputActive: true, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED' });
    off();
    socket.send('StreamStateChanged', { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED' });
    expect(second).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('listener threw'), expect.any(Error));
  });
});

describe('ObsClient with an odd transport', () => {
  it('a transport whose call() throws synchronously still rejects the call and leaves no timer', async () => {
    const { client, socket } = await connected();
    vi.spyOn(socket, 'call').mockImplementation(() => {
      throw new FakeObsError(205, 'sync boom');
    });
    await expect(client.call('GetStats')).rejects.toMatchObject({ kind: 'request', code: 205 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a call made just before a close is rejected and never sent', async () => {
    const { client, socket } = await connected();
    const p = client.call('StartStream');
    socket.teardown(1006);
    await expect(p).rejects.toMatchObject({ kind: 'closed' });
    expect(socket.received).toEqual([]);
  });
});
