/**
 * What `serve` can honestly see of the dock's supervisor: the intent the dock saves ("should be live", which
 * channel), and the participants answers the dock's presence polls get through this helper. From those it
 * derives live (intent on, the latest answer lists the publisher) and off air (intent on, the publisher absent,
 * or no answer for `staleMs`: the dock is closed or cannot reach OBS, so nobody supervises). OBS's link, the
 * supervisor's exact state, recoveries by reason, storms and failures are known only to the dock: those
 * metrics and alerts come from `run` (README "Monitoring").
 */
import type { ChannelRef, ChannelSettings, IntentBody, ParticipantsBody } from '../../shared/api-routes.js';
import type { Snapshot } from '../../shared/supervisor/index.js';
import type { CloudApi } from '../server/cloud-api.js';
import type { JsonStore } from '../server/json-store.js';
import type { Metrics } from './registry.js';

export interface HelperViewDeps {
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (h: unknown) => void;
  /** no participants answer for this long while the intent is on: presence unknown, counted off air */
  staleMs?: number;
}

export interface HelperView {
  snapshot(): Snapshot | null;
  subscribe(fn: (s: Snapshot) => void): () => void;
  channel(): ChannelSettings | null;
  /** wrap the helper's cloud API and intent store so the view sees their traffic */
  wrapApi(api: CloudApi, metrics: Metrics): CloudApi;
  wrapIntent(store: JsonStore<IntentBody>): JsonStore<IntentBody>;
  dispose(): void;
}

async function counted<T>(metrics: Metrics, action: string, call: () => Promise<T>): Promise<T> {
  try {
    const v = await call();
    metrics.countApi(action, 'ok');
    return v;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    metrics.countApi(action, typeof code === 'string' ? code : 'error');
    throw e;
  }
}

export function helperView(d: HelperViewDeps): HelperView {
  const staleMs = d.staleMs ?? 30_000;
  let intent: IntentBody = { shouldBeLive: false };
  let intentAt = d.now();
  let lastAnswer: { at: number; present: boolean } | null = null;
  let offAirSince: number | null = null;
  let offAirMs = 0;
  let lastKind: Snapshot['kind'] | null = null;
  const listeners = new Set<(s: Snapshot) => void>();

  function derive(): Snapshot | null {
    const now = d.now();
    const ch = intent.channel ?? null;
    const fresh = lastAnswer && now - lastAnswer.at <= staleMs ? lastAnswer : null;
    const supervising = intent.shouldBeLive && ch !== null;
    const live = supervising && fresh?.present === true;
    if (supervising && !live && offAirSince === null) offAirSince = lastAnswer?.present && !fresh ? lastAnswer.at : Math.max(intentAt, lastAnswer?.at ?? intentAt);
    if ((!supervising || live) && offAirSince !== null) {
      if (live) offAirMs += now - offAirSince;
      offAirSince = null;
    }
    const kind: Snapshot['kind'] = !supervising ? 'idle' : live ? 'live' : 'recovering';
    return {
      kind, since: now, reason: !supervising ? 'intent-off' : live ? 'publisher-listed' : fresh ? 'publisher-absent' : 'no-presence-answer',
      locked: supervising, trigger: null, attempt: null, nextTryAt: null, lastError: null, url: null, urlExpiresAt: null, spareExpiresAt: null,
      presence: { status: fresh ? (fresh.present ? 'present' : 'absent') : 'unknown', lastSeenAt: null },
      obs: { connected: false, output: 'unknown' }, storming: false, channel: ch,
      counters: { recoveries: 0, recoveriesByReason: {}, offAirMs: offAirMs + (offAirSince === null ? 0 : now - offAirSince), lastRecoveryAt: null },
      offAirSince, supervisedBy: null,
    };
  }

  function changed(): void {
    const s = derive();
    if (!s) return;
    lastKind = s.kind;
    for (const fn of listeners) fn(s);
  }

  // staleness appears with time, not with traffic: look again every few seconds (sync work only)
  let timer: unknown;
  const tick = () => {
    const s = derive();
    if (s && s.kind !== lastKind) changed();
    timer = d.setTimer(tick, 5_000);
  };
  timer = d.setTimer(tick, 5_000);

  const sameChannel = (ref: ChannelRef) => intent.channel?.appId === ref.appId && intent.channel.channelId === ref.channelId;
  return {
    snapshot: derive,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    channel: () => intent.channel ?? null,
    wrapApi(api, metrics) {
      return {
        mint: (c) => counted(metrics, 'CreateRoomRealTimeStreamAddress', () => api.mint(c)),
        async participants(ref): Promise<ParticipantsBody> {
          const p = await counted(metrics, 'DescribeChannelParticipants', () => api.participants(ref));
          if (sameChannel(ref)) {
            lastAnswer = { at: d.now(), present: p.users.includes(intent.channel!.userId) };
            changed();
          }
          return p;
        },
      };
    },
    wrapIntent(store) {
      void store.read().then((i) => ((intent = i), (intentAt = d.now()), changed()), () => undefined);
      return {
        read: () => store.read(),
        async write(v) {
          const stored = await store.write(v);
          intent = stored;
          intentAt = d.now();
          lastAnswer = null;
          changed();
          return stored;
        },
      };
    },
    dispose: () => d.clearTimer(timer),
  };
}
