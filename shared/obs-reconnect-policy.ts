/**
 * When to reconnect to obs-websocket after a close, as one pure function (LiveKit's `nextRetryDelayInMs`
 * shape): `null` means "do not reconnect on your own". The caller owns the timer (single flight).
 */
import { fullJitterDelay, type BackoffOptions } from './retry-policy.js';
import type { ObsCloseClass } from './obs-protocol.js';

/**
 * Base 500 ms, cap 10 s, full jitter. OBS restarts in 1-5 s (obs.md), so 10 s keeps a dock responsive while
 * not hammering; the 100 ms floor keeps a zero draw from turning into a hot loop.
 */
export const OBS_RECONNECT_BACKOFF: BackoffOptions = {
  baseMs: 500,
  capMs: 10_000,
  floorMs: 100,
  maxAttempts: Infinity,
};

export interface ObsReconnectInput {
  /** attempts already made since the last identified session (1 after the first failure) */
  attempt: number;
  closeClass: ObsCloseClass;
  /** a number in [0, 1) */
  random: number;
  /** the user gave a new password since the 4009 */
  passwordChanged?: boolean;
  backoff?: BackoffOptions;
}

export function nextObsReconnectDelay(input: ObsReconnectInput): number | null {
  const backoff = input.backoff ?? OBS_RECONNECT_BACKOFF;
  switch (input.closeClass) {
    case 'normal': // we closed it on purpose
    case 'session-invalidated': // 4011: the server kicked us; a human decides
    case 'unsupported-rpc': // 4010: needs another OBS, not another try
    case 'protocol-error': // our bug: the same message would fail the same way
      return null;
    case 'auth-failed': // 4009: the same password fails the same way; wait for a new one
      return input.passwordChanged ? fullJitterDelay(1, input.random, backoff) : null;
    case 'unreachable':
    case 'lost':
      return fullJitterDelay(Math.max(1, input.attempt), input.random, backoff);
  }
}
