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
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let ready = false;
  let stopped = false;
  let inFlight = false;

  const schedule = (ms: number) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = stopped ? undefined : setTimeout(check, ms);
  };

  const waiting = (err: DockError) => {
    ready = false;
    attempt += 1;
    const delay = fullJitterDelay(attempt, deps.random(), HELPER_BACKOFF) ?? HELPER_BACKOFF.capMs;
    deps.patch({ status: 'waiting', attempt, nextTryAt: deps.now() + delay, lastError: err });
    schedule(delay);
  };

  async function check(): Promise<void> {
    timer = undefined;
    if (stopped || inFlight) return;
    inFlight = true;
    try {
      const health = await deps.api.call('health');
      if (stopped) return;
      const wasReady = ready;
      ready = true;
      attempt = 0;
      deps.patch({ status: 'ready', attempt: 0, nextTryAt: undefined, health, lastError: undefined });
      if (!wasReady) deps.onReady(health);
      schedule(HELPER_HEALTH_PERIOD_MS);
    } catch (err) {
      if (stopped) return;
      const e = toDockError(err);
      if (isUnauthorized(e)) {
        ready = false;
        deps.patch({ status: 'unauthorized', nextTryAt: undefined, lastError: e });
      } else {
        waiting(e);
      }
    } finally {
      inFlight = false;
    }
  }

  return {
    start() {
      stopped = false;
      schedule(0);
    },
    retryNow() {
      if (!stopped) schedule(0);
    },
    report(err) {
      const e = toDockError(err);
      if (isUnauthorized(e)) {
        ready = false;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        deps.patch({ status: 'unauthorized', nextTryAt: undefined, lastError: e });
      } else if (isHelperDown(e) && ready && !inFlight) {
        schedule(0); // confirm with a health check before showing the waiting state
      }
    },
    dispose() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
