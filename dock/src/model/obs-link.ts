/**
 * Keeps the dock connected to obs-websocket through the shared ObsClient: connects when asked, reconnects
 * with backoff when OBS goes away (OBS restarts, the socket drops), and stops retrying when retrying cannot
 * help: 4009 waits for a new password, 4011 and protocol errors wait for the user. Single flight: at most
 * one pending timer, and a new connect() cancels it.
 */
import { nextObsReconnectDelay, type ObsClient, type ObsClosedEvent } from '../../../shared/obs-client.js';
import type { DockState, ObsStatus } from './state.js';

export interface ObsLinkDeps {
  client: Pick<ObsClient, 'connect' | 'disconnect' | 'on' | 'state'>;
  now: () => number;
  random: () => number;
  /** merges into state.obs */
  patch: (obs: Partial<DockState['obs']>) => void;
}

export interface ObsLink {
  /** (Re)connect now with these settings; resets the backoff. Replaces a live session. */
  connect(url: string, password: string): void;
  /**
   * The supervisor's reconnect: resolves once identified, connecting now if idle (a connect in flight is
   * joined, a live session kept). Rejects like ObsClient.connect (closed with a close class, timeout).
   */
  ensureConnected(): Promise<void>;
  disconnect(): void;
  dispose(): void;
}

export function createObsLink(deps: ObsLinkDeps): ObsLink {
  let target: { url: string; password: string } | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  let inflight: Promise<unknown> | undefined;

  const clearTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  const open = () => {
    timer = undefined;
    if (!target || disposed || deps.client.state !== 'idle') return;
    deps.patch({ status: 'connecting', nextTryAt: undefined });
    // failures arrive as a `closed` event (the client emits exactly one per session), handled below
    const p = deps.client.connect(target.url, target.password || undefined);
    inflight = p;
    p.catch(() => undefined).finally(() => {
      if (inflight === p) inflight = undefined;
    });
  };

  const offConnected = deps.client.on('connected', () => {
    attempt = 0;
    deps.patch({ status: 'connected', attempt: 0, nextTryAt: undefined, closeCode: undefined, message: undefined });
  });

  const offClosed = deps.client.on('closed', (e: ObsClosedEvent) => {
    if (e.classification === 'normal' || disposed) return; // our own disconnect / reconnect
    attempt += 1;
    const delay = nextObsReconnectDelay({ attempt, closeClass: e.classification, random: deps.random() });
    const status = statusFor(e);
    if (delay === null || !target) {
      deps.patch({ status, attempt, nextTryAt: undefined, closeCode: e.code, message: e.reason || undefined });
      return;
    }
    clearTimer();
    timer = setTimeout(open, delay);
    deps.patch({ status, attempt, nextTryAt: deps.now() + delay, closeCode: e.code, message: e.reason || undefined });
  });

  return {
    connect(url, password) {
      clearTimer();
      target = { url, password };
      attempt = 0;
      if (deps.client.state === 'idle') return open();
      // connected or connecting elsewhere: close first (a `normal` close, not retried), then open
      void deps.client.disconnect().then(open, open);
    },
    async ensureConnected() {
      const state = () => deps.client.state; // a getter: read it afresh after open()
      if (state() === 'connected') return;
      if (!target) throw new Error('no OBS WebSocket URL yet');
      if (state() === 'idle') {
        clearTimer();
        open();
      }
      if (inflight) await inflight;
      else if (state() !== 'connected') throw new Error('not connected to OBS');
    },
    disconnect() {
      clearTimer();
      target = undefined;
      void deps.client.disconnect();
      deps.patch({ status: 'idle', nextTryAt: undefined });
    },
    dispose() {
      disposed = true;
      clearTimer();
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
