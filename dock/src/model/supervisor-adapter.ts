/**
 * Binds the shared supervisor (shared/supervisor: pure `step` + `SupervisorRunner`) to the dock: its ports
 * (OBS through the shared ObsClient, mint/participants/intent/lease through the helper API) and the ObsClient's
 * events as supervisor events. The dock reads the runner's `Snapshot` as it is.
 *
 * The snapshot's `url` is the pair set into OBS (Server / Stream key, with its expiry and RequestId); the Stream
 * key panel shows the key masked. The supervisor never writes the key into its log.
 */
import type { IntentBody } from '../../../shared/api-routes.js';
import { SupervisorRunner, type ApiPort, type LeasePort } from '../../../shared/supervisor/index.js';
import { createStore } from '../lib/store.js';
import type { SupervisorEnv } from './create-model.js';
import type { SupervisorHandle } from './supervisor-port.js';

/** The helper frees a lease its holder stopped renewing after this long (the runner renews every 10 s). */
export const LEASE_TTL_MS = 15_000;

export function createSupervisorAdapter(env: SupervisorEnv): SupervisorHandle {
  const { obs } = env;
  const runner = new SupervisorRunner({
    obs: {
      call: (requestType, data) => obs.call(requestType as 'GetStreamStatus', data as undefined),
      reconnect: () => env.reconnectObs(),
    },
    ...helperPorts(env),
    clock: { now: env.now },
    random: env.random,
    timers: {
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    },
  });

  const store = createStore(runner.snapshot());
  const offs = [
    runner.subscribe((snap) => store.set(snap)),
    obs.on('connected', () => runner.dispatch({ type: 'obs-connected' })),
    obs.on('closed', (e) =>
      runner.dispatch({ type: 'obs-disconnected', code: e.code, reason: e.reason, closeClass: e.classification }),
    ),
    obs.on('StreamStateChanged', (e) =>
      runner.dispatch({ type: 'obs-stream-state', outputState: e.outputState, outputActive: e.outputActive }),
    ),
    obs.on('ExitStarted', () => runner.dispatch({ type: 'obs-exit-started' })),
  ];
  if (obs.state === 'connected') runner.dispatch({ type: 'obs-connected' });

  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    goLive: (channel) => runner.goLive(channel),
    resume: (channel) => runner.resume(channel),
    stop: () => runner.stop(),
    retryNow: () => runner.retryNow(),
    entries: (n) => runner.log.entries(n),
    exportLog: () => runner.log.toJsonLines(),
    dispose() {
      for (const off of offs) off();
      runner.dispose();
    },
  };
}

/** The cloud, intent and lease ports through the helper API; a failed call is reported (is the helper gone?). */
function helperPorts(env: SupervisorEnv): {
  api: ApiPort;
  intent: { save(i: IntentBody): Promise<void> };
  lease: LeasePort;
} {
  const { api } = env;
  const reported = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      env.reportApiError(err);
      throw err;
    });
  return {
    api: {
      mint: (channel) => reported(api.call('ingestUrl', channel)),
      participants: (channel) =>
        reported(api.call('participants', { appId: channel.appId, channelId: channel.channelId })),
    },
    intent: {
      async save(intent) {
        await reported(api.call('putIntent', { ...intent, by: 'dock' }));
      },
    },
    lease: {
      request: (action) =>
        reported(
          api.call('lease', {
            holder: env.holder,
            obsUrl: env.obsUrl(),
            ttlMs: LEASE_TTL_MS,
            ...(action === 'release' ? { release: true } : {}),
          }),
        ),
    },
  };
}
