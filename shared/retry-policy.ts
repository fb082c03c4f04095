/**
 * Retry timing as pure functions (LiveKit's `nextRetryDelayInMs` shape): the caller passes the attempt
 * number and a random number in [0, 1); `null` means give up. No clock is read here.
 */
export interface BackoffOptions {
  /** first ceiling, ms */
  baseMs: number;
  /** largest ceiling, ms */
  capMs: number;
  /** never wait less than this, ms */
  floorMs?: number;
  /** attempts allowed in all (first try included); Infinity for unlimited */
  maxAttempts?: number;
}

/**
 * "Full jitter" exponential backoff: a uniform draw in [floor, min(cap, base * 2^(attempt-1))].
 * `attempt` is the number of attempts already made (1 after the first failure).
 */
export function fullJitterDelay(attempt: number, random: number, opts: BackoffOptions): number | null {
  const max = opts.maxAttempts ?? Infinity;
  if (attempt >= max) return null;
  const floor = opts.floorMs ?? 0;
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(floor + Math.max(0, ceiling - floor) * clamp01(random));
}

/** The cloud API's policy: at least 100 ms after the previous attempt; `x-acs-retry-after` wins when longer. */
export const API_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 5_000, floorMs: 100, maxAttempts: 4 };

export function apiRetryDelay(
  attempt: number,
  random: number,
  retryAfterMs?: number,
  opts: BackoffOptions = API_BACKOFF,
): number | null {
  const delay = fullJitterDelay(attempt, random, opts);
  if (delay === null) return null;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > delay) {
    // a server-given wait, plus up to 10% jitter so many clients do not return in lockstep
    return Math.round(retryAfterMs + retryAfterMs * 0.1 * clamp01(random));
  }
  return delay;
}

/** The supervisor's recovery policy: base 1 s, cap 60 s, full jitter, unlimited attempts by default. */
export const RECOVERY_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 60_000, floorMs: 0, maxAttempts: Infinity };

/** Jitter a period by +-fraction (e.g. polls every 5 s +-10%), so helpers do not poll in lockstep. */
export function jitter(ms: number, random: number, fraction = 0.1): number {
  return Math.round(ms * (1 - fraction + 2 * fraction * clamp01(random)));
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 0.999999) : 0;
}
