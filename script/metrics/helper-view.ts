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

/** What the view has seen; `derive` keeps the off-air bookkeeping in it up to date. */
interface Seen {
  intent: IntentBody;
  intentAt: number;
  lastAnswer: { at: number; present: boolean } | null;
  offAirSince: number | null;
  offAirMs: number;
}

function trackOffAir(v: Seen, now: number, supervising: boolean, live: boolean, fresh: boolean): void {
  if (supervising && !live && v.offAirSince === null) {
    // a present answer gone stale: off air since that answer; otherwise since the intent or the absent answer
    v.offAirSince =
      v.lastAnswer?.present && !fresh ? v.lastAnswer.at : Math.max(v.intentAt, v.lastAnswer?.at ?? v.intentAt);
  }
  if ((!supervising || live) && v.offAirSince !== null) {
    if (live) v.offAirMs += now - v.offAirSince;
    v.offAirSince = null;
  }
}

export function derive(v: Seen, now: number, staleMs: number): Snapshot {
  const ch = v.intent.channel ?? null;
  const fresh = v.lastAnswer && now - v.lastAnswer.at <= staleMs ? v.lastAnswer : null;
  const supervising = v.intent.shouldBeLive && ch !== null;
  const live = supervising && fresh?.present === true;
  trackOffAir(v, now, supervising, live, fresh !== null);
  return {
    at: now,
    kind: !supervising ? 'idle' : live ? 'live' : 'recovering',
    since: now,
    reason: !supervising ? 'intent-off' : live ? 'publisher-listed' : fresh ? 'publisher-absent' : 'no-presence-answer',
    locked: supervising,
    trigger: null,
    attempt: null,
    nextTryAt: null,
    lastError: null,
    url: null,
    urlExpiresAt: null,
    spareExpiresAt: null,
    presence: { status: fresh ? (fresh.present ? 'present' : 'absent') : 'unknown', lastSeenAt: null },
    // unknown to the helper: these fields feed no metric in serve (registry `omit`)
    obs: { connected: false, output: 'unknown', reconnectAt: null },
    storming: false,
    channel: ch,
    counters: {
      recoveries: 0,
      recoveriesByReason: {},
      offAirMs: v.offAirMs + (v.offAirSince === null ? 0 : now - v.offAirSince),
      lastRecoveryAt: null,
    },
    offAirSince: v.offAirSince,
    supervisedBy: null,
  };
}

/** Before any intent or answer: not meant to be live, nothing known. */
function nothingSeen(now: number): Seen {
  return { intent: { shouldBeLive: false }, intentAt: now, lastAnswer: null, offAirSince: null, offAirMs: 0 };
}

export function helperView(d: HelperViewDeps): HelperView {
  const staleMs = d.staleMs ?? 30_000;
  const v = nothingSeen(d.now());
  let lastKind: Snapshot['kind'] | null = null;
  const listeners = new Set<(s: Snapshot) => void>();
  const snapshot = () => derive(v, d.now(), staleMs);
  const changed = () => {
    const s = snapshot();
    lastKind = s.kind;
    for (const fn of listeners) fn(s);
  };
  // staleness appears with time, not with traffic: look again every few seconds (sync work only)
  let timer: unknown;
  const tick = () => {
    if (snapshot().kind !== lastKind) changed();
    timer = d.setTimer(tick, 5_000);
  };
  timer = d.setTimer(tick, 5_000);
  const sameChannel = (ref: ChannelRef) =>
    v.intent.channel?.appId === ref.appId && v.intent.channel.channelId === ref.channelId;
  const setIntent = (i: IntentBody, resetAnswer: boolean) => {
    v.intent = i;
    v.intentAt = d.now();
    if (resetAnswer) v.lastAnswer = null;
    changed();
  };
  return {
    snapshot,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    channel: () => v.intent.channel ?? null,
    wrapApi: (api, metrics) => ({
      mint: (c) => counted(metrics, 'CreateRoomRealTimeStreamAddress', () => api.mint(c)),
      async participants(ref): Promise<ParticipantsBody> {
        const p = await counted(metrics, 'DescribeChannelParticipants', () => api.participants(ref));
        if (sameChannel(ref)) {
          v.lastAnswer = { at: d.now(), present: p.users.includes(v.intent.channel!.userId) };
          changed();
        }
        return p;
      },
    }),
    wrapIntent(store) {
      void store.read().then(
        (i) => setIntent(i, false),
        () => undefined,
      );
      return {
        read: () => store.read(),
        write: async (value) => (setIntent(await store.write(value), true), v.intent),
      };
    },
    dispose: () => d.clearTimer(timer),
  };
}
