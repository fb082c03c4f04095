/**
 * Waits for the helper (it may start after OBS, which opens the dock at once): GET /api/health with backoff
 * until it answers, then `onReady`. While ready, a slow health check notices a helper that went away (and
 * came back: `onReady` runs again so settings and intent are reloaded). A refused token stops the loop:
 * retrying cannot fix it, reopening the dock from the printed URL can.
 */
import type { HealthBody } from '../../../shared/api-routes.js';
import { fullJitterDelay, type BackoffOptions } from '../../../shared/retry-policy.js';
import type { ApiClient } from '../api/client.js';
import { toDockError, type DockError } from '../api/errors.js';
import type { DockState } from './state.js';

/** First retries come fast (the helper usually starts within a second or two of OBS), then every <= 10 s. */
export const HELPER_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 10_000, floorMs: 500 };
export const HELPER_HEALTH_PERIOD_MS = 15_000;

export interface HelperLinkDeps {
  api: Pick<ApiClient, 'call'>;
  now: () => number;
  random: () => number;
  patch: (helper: Partial<DockState['helper']>) => void;
  onReady: (health: HealthBody) => void;
}

export interface HelperLink {
  start(): void;
  retryNow(): void;
  /** a call elsewhere failed: if the helper is gone (or refused the token), go back to waiting */
  report(err: unknown): void;
  dispose(): void;
}

export function isUnauthorized(e: DockError): boolean {
  return e.status === 401 || e.status === 403 || e.code === 'Unauthorized';
}

export function isHelperDown(e: DockError): boolean {
  return e.code === 'HelperUnreachable' || e.code === 'Timeout';
}

export function createHelperLink(deps: HelperLinkDeps): HelperLink {
  return new HelperLinkLoop(deps);
}

/** Single flight: one pending timer or one health check at a time. */
class HelperLinkLoop implements HelperLink {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private ready = false;
  private stopped = false;
  private inFlight = false;

  constructor(private readonly deps: HelperLinkDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  retryNow(): void {
    if (!this.stopped) this.schedule(0);
  }

  report(err: unknown): void {
    const e = toDockError(err);
    if (isUnauthorized(e)) this.unauthorized(e);
    else if (isHelperDown(e) && this.ready && !this.inFlight) this.schedule(0); // confirm before showing "waiting"
  }

  dispose(): void {
    this.stopped = true;
    this.clear();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.clear();
    if (!this.stopped) this.timer = setTimeout(() => void this.check(), ms);
  }

  private async check(): Promise<void> {
    this.timer = undefined;
    if (this.stopped || this.inFlight) return;
    this.inFlight = true;
    try {
      const health = await this.deps.api.call('health');
      if (!this.stopped) this.healthy(health);
    } catch (err) {
      const e = toDockError(err);
      if (this.stopped) return;
      if (isUnauthorized(e)) this.unauthorized(e);
      else this.waiting(e);
    } finally {
      this.inFlight = false;
    }
  }

  private healthy(health: HealthBody): void {
    const wasReady = this.ready;
    this.ready = true;
    this.attempt = 0;
    this.deps.patch({ status: 'ready', attempt: 0, nextTryAt: undefined, health, lastError: undefined });
    if (!wasReady) this.deps.onReady(health);
    this.schedule(HELPER_HEALTH_PERIOD_MS);
  }

  private waiting(err: DockError): void {
    this.ready = false;
    this.attempt += 1;
    const delay = fullJitterDelay(this.attempt, this.deps.random(), HELPER_BACKOFF) ?? HELPER_BACKOFF.capMs;
    this.deps.patch({ status: 'waiting', attempt: this.attempt, nextTryAt: this.deps.now() + delay, lastError: err });
    this.schedule(delay);
  }

  /** a refused token: retrying cannot fix it, reopening the dock from the printed URL can */
  private unauthorized(err: DockError): void {
    this.ready = false;
    this.clear();
    this.deps.patch({ status: 'unauthorized', nextTryAt: undefined, lastError: err });
  }
}
