/**
 * Binds the shared supervisor (shared/supervisor: pure `step` + `SupervisorRunner`) to the dock: its ports
 * (OBS through the shared ObsClient, mint/participants/intent/lease through the helper API), the ObsClient's
 * events as supervisor events, and its snapshot as the flat LiveView the components read.
 *
 * The snapshot's `url` is the pair set into OBS (Server / Stream key, with its expiry and RequestId); the Stream
 * key panel shows the key masked. The supervisor never writes the key into its log.
 */
import type { IntentBody } from '../../../shared/api-routes.js';
import { SupervisorRunner, type Snapshot } from '../../../shared/supervisor/index.js';
import { createStore } from '../lib/store.js';
import type { SupervisorEnv } from './create-model.js';
import { IDLE_VIEW, type LiveView, type SupervisorHandle } from './supervisor-port.js';

/** The helper frees a lease its holder stopped renewing after this long (the runner renews every 10 s). */
export const LEASE_TTL_MS = 15_000;
/** Entries kept in the view (the export has the whole ring). */
const VIEW_LOG_ENTRIES = 50;

export function createSupervisorAdapter(env: SupervisorEnv): SupervisorHandle {
  const { api, obs } = env;
  let supervisedBy: string | undefined;

  const reported = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      env.reportApiError(err);
      throw err;
    });

  const runner = new SupervisorRunner({
    obs: {
      call: (requestType, data) => obs.call(requestType as 'GetStreamStatus', data as undefined),
      reconnect: () => env.reconnectObs(),
    },
    api: {
      mint: (channel) => reported(api.call('ingestUrl', channel)),
      participants: (channel) =>
        reported(api.call('participants', { appId: channel.appId, channelId: channel.channelId })),
    },
    intent: {
      async save(intent: IntentBody) {
        await reported(api.call('putIntent', { ...intent, by: 'dock' }));
      },
    },
    lease: {
      async request(action) {
        const res = await reported(
          api.call('lease', {
            holder: env.holder,
            obsUrl: env.obsUrl(),
            ttlMs: LEASE_TTL_MS,
            ...(action === 'release' ? { release: true } : {}),
          }),
        );
        const other = !res.granted && res.holder && res.holder !== env.holder ? res.holder : undefined;
        if (other !== supervisedBy) {
          supervisedBy = other;
          publish();
        }
        return res;
      },
    },
    clock: { now: env.now },
    random: env.random,
    timers: {
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    },
  });

  const store = createStore<LiveView>(IDLE_VIEW);
  const publish = (snap: Snapshot = runner.snapshot()) => store.set(toView(snap));

  function toView(snap: Snapshot): LiveView {
    const counters = runner.log.counters();
    const offAirSince = runner.state.ctx.offAirSince;
    return {
      kind: snap.kind,
      since: snap.since,
      reason: snap.reason,
      attempt: snap.attempt ?? undefined,
      nextTryAt: snap.nextTryAt ?? undefined,
      lastError: snap.lastError ?? undefined,
      url: snap.url ?? undefined,
      presence: snap.presence.status,
      counters: {
        recoveriesByReason: counters.recoveriesByReason as Record<string, number>,
        offAirMs: counters.offAirMs,
        ...(offAirSince !== null ? { offAirSince } : {}),
      },
      log: runner.log.entries(VIEW_LOG_ENTRIES),
      supervisedBy,
      obsNextTryAt: snap.obs.reconnectAt ?? undefined,
    };
  }

  const offs = [
    runner.subscribe((snap) => publish(snap)),
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
  publish();

  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    goLive: (channel) => runner.goLive(channel),
    resume: (channel) => runner.resume(channel),
    stop: () => runner.stop(),
    retryNow: () => runner.retryNow(),
    exportLog: () => runner.log.toJsonLines(),
    dispose() {
      for (const off of offs) off();
      runner.dispose();
    },
  };
}
