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
  return new FieldsLink(deps);
}

class FieldsLink implements ObsLink {
  /** what the current or last attempt used */
  private session: Target | undefined;
  private inflight: Promise<unknown> | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  /** callers waiting for typing to pause (a cleared debounce lets them go on too) */
  private readonly paused: Array<() => void> = [];
  private disposed = false;
  private readonly offs: Array<() => void>;

  constructor(private readonly deps: ObsLinkDeps) {
    this.offs = [
      deps.client.on('connected', () => {
        deps.patch({ status: 'connected', closeCode: undefined, message: undefined, nextTryAt: undefined });
      }),
      deps.client.on('closed', (e: ObsClosedEvent) => {
        if (e.classification === 'normal' || this.disposed) return; // our own disconnect, before a retarget
        deps.patch({ status: statusFor(e), closeCode: e.code, message: e.reason || undefined });
      }),
    ];
  }

  async connect(): Promise<boolean> {
    this.clearDebounce();
    const t = this.target();
    if (!t) return false;
    await this.aim(t, false);
    return true;
  }

  async ensureConnected(): Promise<void> {
    // the user is typing a URL or password: the retry waits for the pause and uses what they typed
    if (this.debounce !== undefined) await new Promise<void>((resolve) => this.paused.push(resolve));
    if (this.deps.client.state === 'idle') {
      const t = this.target();
      if (!t) throw new Error('the OBS WebSocket URL field does not hold a ws:// URL');
      await this.aim(t, true);
    }
    if (this.deps.client.state === 'connected') return;
    if (this.inflight) await this.inflight;
    else throw new Error('not connected to OBS');
  }

  edited(): void {
    if (this.debounce !== undefined) clearTimeout(this.debounce); // still typing: the waiters wait on
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      const t = this.target();
      // an identified session stays until Connect or Go live asks for the new values
      if (t && !this.disposed && this.deps.client.state !== 'connected') void this.aim(t, false);
      this.release();
    }, RETARGET_DELAY_MS);
  }

  dispose(): void {
    this.disposed = true;
    this.clearDebounce();
    for (const off of this.offs) off();
    void this.deps.client.disconnect();
  }

  private target(): Target | undefined {
    const f = this.deps.fields();
    const url = parseObsUrl(f.url);
    this.deps.patch({ badUrl: url === undefined });
    return url === undefined ? undefined : { url, password: f.password };
  }

  private same(t: Target): boolean {
    return this.session !== undefined && this.session.url === t.url && this.session.password === t.password;
  }

  /** Opens `t` unless the link already is (or is becoming) exactly that; a session to other values is closed first. */
  private async aim(t: Target, keepConnected: boolean): Promise<void> {
    const state = this.deps.client.state;
    if (state === 'connected' && (keepConnected || this.same(t))) return;
    if (state === 'connecting' && this.same(t)) return;
    if (state !== 'idle') await this.deps.client.disconnect(); // a `normal` close: nobody retries it
    if (this.disposed || this.deps.client.state !== 'idle') return;
    this.open(t);
  }

  private open(t: Target): void {
    this.session = t;
    this.deps.patch({ status: 'connecting', closeCode: undefined, message: undefined });
    // failures arrive as a `closed` event too (the client emits exactly one per session)
    const p = this.deps.client.connect(t.url, t.password || undefined);
    this.inflight = p;
    p.catch(() => undefined).finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
  }

  private release(): void {
    for (const resolve of this.paused.splice(0)) resolve();
  }

  private clearDebounce(): void {
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.debounce = undefined;
    this.release();
  }
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
