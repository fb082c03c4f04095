/**
 * The dock's obs-websocket connection, always aimed at what the OBS fields show: every attempt (Connect, Go live,
 * the supervisor's reconnect) reads the URL and password at the moment it starts, and an edit retargets an idle,
 * failed or still-connecting link once typing pauses. It runs no backoff of its own: the supervisor owns the one
 * reconnect loop (its `obs-reconnect` timer calls `ensureConnected`), so no retry ever goes to a URL the field no
 * longer shows and there is one countdown to show. Closes that a retry cannot fix (4009, 4010, 4011) wait for the
 * user: a new password, or Connect.
 */
import type { ObsClient, ObsClosedEvent } from '../../../shared/obs-client.js';
import { parseObsUrl } from '../../../shared/obs-url.js';
import type { DockState, ObsStatus } from './state.js';

/** Typing pauses this long before an edit retargets the connection. */
export const RETARGET_DELAY_MS = 1_000;

export interface ObsLinkDeps {
  client: Pick<ObsClient, 'connect' | 'disconnect' | 'on' | 'state'>;
  /** the OBS fields as they are now */
  fields: () => { url: string; password: string };
  /** merges into state.obs */
  patch: (obs: Partial<DockState['obs']>) => void;
}

export interface ObsLink {
  /**
   * Aims the connection at the fields now (Connect, Go live): opens one unless connected or connecting with the
   * same values, replacing a session with other values. Resolves once the attempt has begun (the outcome comes
   * as `connected` / `closed`); false when the URL field is not a ws:// URL.
   */
  connect(): Promise<boolean>;
  /** The supervisor's reconnect: resolves once identified (joins an attempt in flight, keeps a live session). */
  ensureConnected(): Promise<void>;
  /** The URL or password field changed: retarget after typing pauses. */
  edited(): void;
  dispose(): void;
}

interface Target {
  url: string;
  password: string;
}

export function createObsLink(deps: ObsLinkDeps): ObsLink {
  let session: Target | undefined; // what the current or last attempt used
  let inflight: Promise<unknown> | undefined;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const target = (): Target | undefined => {
    const f = deps.fields();
    const url = parseObsUrl(f.url);
    deps.patch({ badUrl: url === undefined });
    return url === undefined ? undefined : { url, password: f.password };
  };
  const same = (t: Target) => session !== undefined && session.url === t.url && session.password === t.password;

  const open = (t: Target): Promise<unknown> => {
    session = t;
    deps.patch({ status: 'connecting', closeCode: undefined, message: undefined });
    // failures arrive as a `closed` event too (the client emits exactly one per session), handled below
    const p = deps.client.connect(t.url, t.password || undefined);
    inflight = p;
    p.catch(() => undefined).finally(() => {
      if (inflight === p) inflight = undefined;
    });
    return p;
  };

  /** Opens `t` unless the link already is (or is becoming) exactly that; a session to other values is closed first. */
  const aim = async (t: Target, keepConnected: boolean): Promise<void> => {
    const state = deps.client.state;
    if (state === 'connected' && (keepConnected || same(t))) return;
    if (state === 'connecting' && same(t)) return;
    if (state !== 'idle') await deps.client.disconnect(); // a `normal` close: nobody retries it
    if (disposed || deps.client.state !== 'idle') return;
    void open(t);
  };

  const offConnected = deps.client.on('connected', () => {
    deps.patch({ status: 'connected', closeCode: undefined, message: undefined, nextTryAt: undefined });
  });
  const offClosed = deps.client.on('closed', (e: ObsClosedEvent) => {
    if (e.classification === 'normal' || disposed) return; // our own disconnect, before a retarget
    deps.patch({ status: statusFor(e), closeCode: e.code, message: e.reason || undefined });
  });

  /** callers waiting for typing to pause (a cleared debounce lets them go on too) */
  const paused: Array<() => void> = [];
  const typingPaused = () => new Promise<void>((resolve) => paused.push(resolve));
  const clearDebounce = () => {
    if (debounce !== undefined) clearTimeout(debounce);
    debounce = undefined;
    for (const resolve of paused.splice(0)) resolve();
  };

  return {
    async connect() {
      clearDebounce();
      const t = target();
      if (!t) return false;
      await aim(t, false);
      return true;
    },
    async ensureConnected() {
      // the user is typing a URL or password: the retry waits for the pause and uses what they typed
      if (debounce !== undefined) await typingPaused();
      if (deps.client.state === 'idle') {
        const t = target();
        if (!t) throw new Error('the OBS WebSocket URL field does not hold a ws:// URL');
        await aim(t, true);
      }
      if (deps.client.state === 'connected') return;
      if (inflight) await inflight;
      else throw new Error('not connected to OBS');
    },
    edited() {
      if (debounce !== undefined) clearTimeout(debounce); // still typing: the waiters wait on
      debounce = setTimeout(() => {
        debounce = undefined;
        const t = target();
        // an identified session stays until Connect or Go live asks for the new values
        if (t && !disposed && deps.client.state !== 'connected') void aim(t, false);
        for (const resolve of paused.splice(0)) resolve();
      }, RETARGET_DELAY_MS);
    },
    dispose() {
      disposed = true;
      clearDebounce();
      offConnected();
      offClosed();
      void deps.client.disconnect();
    },
  };
}

function statusFor(e: ObsClosedEvent): ObsStatus {
  switch (e.classification) {
    case 'auth-failed':
      return 'auth-failed';
    case 'session-invalidated':
      return 'invalidated';
    default:
      return 'unreachable';
  }
}
