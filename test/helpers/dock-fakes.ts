/**
 * Fakes for the dock's unit tests: the helper API (a handler table, every call recorded), the supervisor
 * (a store of supervisor Snapshots the test drives), and a model wired with the real ObsClient over the shared fake
 * OBS socket. No network, no real timers needed.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { cleanup } from '@testing-library/preact';
import type { RouteBody, RouteName, RouteResponse } from '../../shared/api-routes.js';
import { ObsClient } from '../../shared/obs-client.js';
import type { ApiClient } from '../../dock/src/api/client.js';
import { ApiCallError } from '../../dock/src/api/errors.js';
import { memoryStorage, type KeyValueStore } from '../../dock/src/lib/storage.js';
import { createStore } from '../../dock/src/lib/store.js';
import { createDockModel, type SupervisorEnv } from '../../dock/src/model/create-model.js';
import { createSupervisorAdapter } from '../../dock/src/model/supervisor-adapter.js';
import { lazySupervisor } from '../../dock/src/model/lazy-supervisor.js';
import {
  IDLE_SNAPSHOT,
  type LogEntry,
  type Snapshot,
  type SupervisorHandle,
} from '../../dock/src/model/supervisor-port.js';
import { fakeSocketFactory, type FakeOptions } from './fake-obs-socket.js';

export type Handlers = { [N in RouteName]?: (body: RouteBody<N>) => RouteResponse<N> | Promise<RouteResponse<N>> };

export const HEALTH = {
  ok: true,
  version: '0.1.0',
  mode: 'sandbox' as const,
  endpoint: 'http://127.0.0.1:4467',
  credentialSource: 'sandbox',
  startedAt: '2026-01-01T00:00:00Z',
};

export const CHANNEL = { appId: 'app_1', channelId: 'room-1', userId: 'obs-1', displayName: 'OBS', expireTime: 3600 };

export function defaultHandlers(): Handlers {
  return {
    health: () => HEALTH,
    getSettings: () => ({ presets: [] }),
    putSettings: (b) => b,
    obsHints: () => ({ url: 'ws://127.0.0.1:4455', password: 'secret', source: 'global.ini' }),
    getIntent: () => ({ shouldBeLive: false }),
    putIntent: (b) => b,
    lease: () => ({ granted: true }),
    fault: () => ({ ok: true }),
  };
}

export function fakeApi(overrides: Handlers = {}) {
  const handlers: Handlers = { ...defaultHandlers(), ...overrides };
  const calls: Array<{ name: RouteName; body: unknown }> = [];
  const api: ApiClient = {
    call: (async (name: RouteName, body?: unknown) => {
      calls.push({ name, body });
      const h = handlers[name];
      if (!h)
        throw new ApiCallError({ code: 'NotFound', message: `no fake for ${name}`, retryable: false, status: 404 });
      return (h as (b: unknown) => unknown)(body);
    }) as ApiClient['call'],
  };
  return { api, calls, handlers, callsOf: (name: RouteName) => calls.filter((c) => c.name === name) };
}

export function helperDown(): never {
  throw ApiCallError.unreachable(new TypeError('Failed to fetch'));
}

export function fakeSupervisor() {
  const store = createStore<Snapshot>(IDLE_SNAPSHOT);
  const calls: Array<{ kind: string; arg?: unknown }> = [];
  let log: LogEntry[] = [];
  let env: SupervisorEnv | undefined;
  const handle: SupervisorHandle = {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    goLive: (channel) => {
      calls.push({ kind: 'goLive', arg: channel });
      store.update({ kind: 'connecting', since: env?.now() ?? 0, reason: 'go-live' });
    },
    resume: (channel) => void calls.push({ kind: 'resume', arg: channel }),
    stop: () => {
      calls.push({ kind: 'stop' });
      store.update({ kind: 'stopping' });
    },
    retryNow: () => void calls.push({ kind: 'retryNow' }),
    entries: (n) => log.slice(-n),
    exportLog: () => log.map((e) => JSON.stringify(e)).join('\n') + '\n',
    dispose: () => void calls.push({ kind: 'dispose' }),
  };
  return {
    handle,
    calls,
    /** publishes a snapshot with these fields changed (and, when given, these log entries) */
    set: (patch: Partial<Snapshot>, entries?: LogEntry[]) => {
      if (entries) log = entries;
      store.update(patch);
    },
    factory: (e: SupervisorEnv) => {
      env = e;
      return handle;
    },
    get env() {
      return env;
    },
  };
}

export interface ModelSetup {
  api?: Handlers;
  obs?: FakeOptions;
  storage?: KeyValueStore;
  languages?: string[];
  /** wire the real SupervisorRunner (through the dock's adapter) instead of the fake */
  realSupervisor?: boolean;
  /** with realSupervisor: load it as the dock does (model/lazy-supervisor.ts); each load waits for this to settle */
  lazyLoad?: () => Promise<void>;
}

export function setupModel(opts: ModelSetup = {}) {
  const api = fakeApi(opts.api);
  const sockets = fakeSocketFactory({
    password: 'secret',
    ...opts.obs,
    handlers: {
      GetStreamStatus: () => ({
        outputActive: false,
        outputReconnecting: false,
        outputTimecode: '00:00:00.000',
        outputDuration: 0,
        outputCongestion: 0,
        outputBytes: 0,
        outputSkippedFrames: 0,
        outputTotalFrames: 0,
      }),
      GetStats: () => ({
        cpuUsage: 1,
        memoryUsage: 100,
        availableDiskSpace: 1e6,
        activeFps: 30,
        averageFrameRenderTime: 1,
        renderSkippedFrames: 0,
        renderTotalFrames: 100,
        outputSkippedFrames: 0,
        outputTotalFrames: 100,
        webSocketSessionIncomingMessages: 0,
        webSocketSessionOutgoingMessages: 0,
      }),
      StopStream: () => ({}),
      ...opts.obs?.handlers,
    },
  });
  const obs = new ObsClient({ createSocket: sockets.createSocket, warn: vi.fn() });
  const sup = fakeSupervisor();
  const storage = opts.storage ?? memoryStorage();
  const model = createDockModel({
    api: api.api,
    obs,
    createSupervisor: opts.realSupervisor
      ? opts.lazyLoad
        ? lazySupervisor(() => opts.lazyLoad!().then(() => createSupervisorAdapter))
        : createSupervisorAdapter
      : sup.factory,
    storage,
    languages: opts.languages ?? ['en-US'],
    random: () => 0.5,
    holder: 'dock-test',
  });
  return { model, api, sockets, obs, sup, storage };
}

/** Lets pending promise chains (fake API, fake socket) run. */
export async function flush(times = 10): Promise<void> {
  for (let i = 0; i < times; i++) await Promise.resolve();
}

/** Fake timers for each case of the calling file (the system time set to `t0` when given); after each, the rendered dock unmounted and real timers back. */
export function useFakeDockTimers(t0?: number): void {
  beforeEach(() => {
    vi.useFakeTimers();
    if (t0 !== undefined) vi.setSystemTime(t0);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });
}
