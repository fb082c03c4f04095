/**
 * Binds the shared supervisor (shared/supervisor: pure `step` + `SupervisorRunner`) to the dock: its ports
 * (OBS through the shared binding, shared/obs-binding.ts, as `run` binds it; mint/participants/intent/lease
 * through the helper API) and the ObsClient's events as supervisor events. The dock reads the runner's
 * `Snapshot` as it is.
 *
 * The snapshot's `url` is the pair set into OBS (Server / Stream key, with its expiry and RequestId); the Stream
 * key panel shows the key masked. The supervisor never writes the key into its log.
 */
import type { IntentBody } from '../../../shared/api-routes.js';
import { SupervisorRunner, type ApiPort, type LeasePort } from '../../../shared/supervisor/index.js';
import { bindObsEvents, obsPort, realTimers } from '../../../shared/obs-binding.js';
import { createStore } from '../lib/store.js';
import type { SupervisorEnv } from './create-model.js';
import type { SupervisorHandle } from './supervisor-port.js';

/** The helper frees a lease its holder stopped renewing after this long (the runner renews every 10 s). */
export const LEASE_TTL_MS = 15_000;

export function createSupervisorAdapter(env: SupervisorEnv): SupervisorHandle {
  const runner = new SupervisorRunner({
    obs: obsPort(env.obs, () => env.reconnectObs()),
    ...helperPorts(env),
    clock: { now: env.now },
    random: env.random,
    timers: realTimers,
  });
  const store = createStore(runner.snapshot());
  const offs = [runner.subscribe((snap) => store.set(snap)), bindObsEvents(env.obs, runner)];
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
