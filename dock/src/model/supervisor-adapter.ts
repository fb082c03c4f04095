/**
 * Binds the shared supervisor (shared/supervisor: pure `step` + `SupervisorRunner`) to the dock: its ports
 * (OBS through the shared ObsClient, mint/participants/intent/lease through the helper API), the ObsClient's
 * events as supervisor events, and its snapshot as the flat LiveView the components read.
 *
 * The snapshot carries the URL's expiry but not its Server / Stream key (the key is a secret the supervisor
 * never logs); the adapter keeps the last pair it set into OBS so the Stream key panel can show it masked.
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
  let configured: { server: string; streamKey: string } | undefined;
  const minted = new Map<string, string>(); // stream key -> RequestId of the mint

  const reported = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      env.reportApiError(err);
      throw err;
    });

  const runner = new SupervisorRunner({
    obs: {
      async call(requestType, data) {
        const res = await obs.call(requestType as 'GetStreamStatus', data as undefined);
        if (requestType === 'SetStreamServiceSettings') {
          const s = (data as { streamServiceSettings?: { server?: unknown; key?: unknown } } | undefined)?.streamServiceSettings;
          if (typeof s?.server === 'string' && typeof s.key === 'string') configured = { server: s.server, streamKey: s.key };
        }
        return res;
      },
      reconnect: () => env.reconnectObs(),
    },
    api: {
      async mint(channel) {
        const url = await reported(api.call('ingestUrl', channel));
        if (minted.size > 20) minted.clear();
        minted.set(url.streamKey, url.requestId);
        return url;
      },
      participants: (channel) => reported(api.call('participants', { appId: channel.appId, channelId: channel.channelId })),
    },
    intent: {
      async save(intent: IntentBody) {
        await reported(api.call('putIntent', { ...intent, by: 'dock' }));
      },
    },
    lease: {
      async request(action) {
        const res = await reported(api.call('lease', { holder: env.holder, obsUrl: env.obsUrl(), ttlMs: LEASE_TTL_MS, ...(action === 'release' ? { release: true } : {}) }));
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
    timers: { setTimer: (fn, ms) => setTimeout(fn, ms), clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
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
      url:
        configured && snap.urlExpiresAt !== null
          ? { ...configured, expiresAt: snap.urlExpiresAt, requestId: minted.get(configured.streamKey) ?? '' }
          : undefined,
      presence: snap.presence.status,
      counters: {
        recoveriesByReason: counters.recoveriesByReason as Record<string, number>,
        offAirMs: counters.offAirMs,
        ...(offAirSince !== null ? { offAirSince } : {}),
      },
      log: runner.log.entries(VIEW_LOG_ENTRIES),
      supervisedBy,
    };
  }

  const offs = [
    runner.subscribe((snap) => publish(snap)),
    obs.on('connected', () => runner.dispatch({ type: 'obs-connected' })),
    obs.on('closed', (e) => runner.dispatch({ type: 'obs-disconnected', code: e.code, reason: e.reason, closeClass: e.classification })),
    obs.on('StreamStateChanged', (e) => runner.dispatch({ type: 'obs-stream-state', outputState: e.outputState, outputActive: e.outputActive })),
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
