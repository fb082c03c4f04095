/**
 * The supervisor's settings and their defaults (the numbers), validated up front with precise messages.
 */
import { OBS_RECONNECT_BACKOFF } from '../obs-reconnect-policy.js';
import { RECOVERY_BACKOFF, type BackoffOptions } from '../retry-policy.js';

export interface Config {
  /** presence poll period while live, ms, jittered by +-pollJitter */
  pollIntervalMs: number;
  pollJitter: number;
  /** the slowest a throttled poll gets, ms */
  pollMaxIntervalMs: number;
  /** consecutive polls without the publisher (while OBS streams) that start a recovery */
  absentPollsToRecover: number;
  /** presence poll period while confirming a fresh start, ms */
  confirmPollMs: number;
  /** 0: take over at once on RECONNECTING; > 0: let OBS retry for this long first, ms */
  reconnectGraceMs: number;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  confirmTimeoutMs: number;
  /** keep a spare URL minted ahead so a recovery needs no Create call on its critical path */
  preMint: boolean;
  /** refresh the spare when its remaining validity falls under max(fraction x lifetime, minMs), at most half */
  refreshAheadFraction: number;
  refreshAheadMinMs: number;
  /** a spare with less validity left is not used for a (re)start, ms */
  minUsableValidityMs: number;
  /** retries of a failed background refresh */
  refreshBackoff: BackoffOptions;
  /** recovery attempts: full jitter, base 1 s, cap 60 s, unlimited by default */
  retry: BackoffOptions;
  /** more than `stormThreshold` recoveries within `stormWindowMs` is a storm: flagged, slowed */
  stormWindowMs: number;
  stormThreshold: number;
  /** while storming, at least this long before each try, ms */
  stormMinDelayMs: number;
  /** more recoveries than this within the storm window stops supervision (failed); undefined: no limit */
  maxRecoveriesInWindow: number | undefined;
  /** obs-websocket reconnects */
  obsReconnect: BackoffOptions;
  /** act only while holding the helper's lease (set by the runner when a lease port is given) */
  useLease: boolean;
  leaseRenewMs: number;
}

export const DEFAULT_CONFIG: Config = Object.freeze({
  pollIntervalMs: 5_000,
  pollJitter: 0.1,
  pollMaxIntervalMs: 60_000,
  absentPollsToRecover: 2,
  confirmPollMs: 1_000,
  reconnectGraceMs: 0,
  startTimeoutMs: 15_000,
  stopTimeoutMs: 10_000,
  confirmTimeoutMs: 20_000,
  preMint: true,
  refreshAheadFraction: 0.1,
  refreshAheadMinMs: 10 * 60_000,
  minUsableValidityMs: 60_000,
  refreshBackoff: { baseMs: 5_000, capMs: 5 * 60_000, floorMs: 1_000, maxAttempts: Infinity },
  retry: RECOVERY_BACKOFF,
  stormWindowMs: 10 * 60_000,
  stormThreshold: 5,
  stormMinDelayMs: 30_000,
  maxRecoveriesInWindow: undefined,
  obsReconnect: OBS_RECONNECT_BACKOFF,
  useLease: false,
  leaseRenewMs: 10_000,
});

export class SupervisorConfigError extends Error {
  override name = 'SupervisorConfigError';
}

const POSITIVE_MS: ReadonlyArray<keyof Config> = [
  'pollIntervalMs',
  'pollMaxIntervalMs',
  'confirmPollMs',
  'startTimeoutMs',
  'stopTimeoutMs',
  'confirmTimeoutMs',
  'stormWindowMs',
  'leaseRenewMs',
];
const NON_NEGATIVE_MS: ReadonlyArray<keyof Config> = [
  'reconnectGraceMs',
  'refreshAheadMinMs',
  'minUsableValidityMs',
  'stormMinDelayMs',
];

/** Defaults merged with `overrides`; throws SupervisorConfigError naming the first bad field. */
export function makeConfig(overrides: Partial<Config> = {}): Config {
  const c: Config = { ...DEFAULT_CONFIG, ...stripUndefined(overrides) };
  if ('maxRecoveriesInWindow' in overrides) c.maxRecoveriesInWindow = overrides.maxRecoveriesInWindow;
  for (const k of POSITIVE_MS)
    need(Number.isFinite(c[k]) && (c[k] as number) > 0, `${k} must be a positive number of ms`);
  for (const k of NON_NEGATIVE_MS) need(Number.isFinite(c[k]) && (c[k] as number) >= 0, `${k} must be 0 or more ms`);
  need(c.pollJitter >= 0 && c.pollJitter < 1, 'pollJitter must be in [0, 1)');
  need(c.refreshAheadFraction >= 0 && c.refreshAheadFraction <= 0.5, 'refreshAheadFraction must be in [0, 0.5]');
  need(
    Number.isInteger(c.absentPollsToRecover) && c.absentPollsToRecover >= 1,
    'absentPollsToRecover must be a whole number >= 1',
  );
  need(Number.isInteger(c.stormThreshold) && c.stormThreshold >= 1, 'stormThreshold must be a whole number >= 1');
  const max = c.maxRecoveriesInWindow;
  need(
    max === undefined || (Number.isInteger(max) && max >= 1),
    'maxRecoveriesInWindow must be a whole number >= 1, or undefined for no limit',
  );
  for (const k of ['retry', 'refreshBackoff', 'obsReconnect'] as const) checkBackoff(k, c[k]);
  return c;
}

function checkBackoff(name: string, b: BackoffOptions): void {
  need(Number.isFinite(b.baseMs) && b.baseMs > 0, `${name}.baseMs must be a positive number of ms`);
  need(Number.isFinite(b.capMs) && b.capMs >= b.baseMs, `${name}.capMs must be at least ${name}.baseMs`);
  const m = b.maxAttempts ?? Infinity;
  need(
    m === Infinity || (Number.isInteger(m) && m >= 1),
    `${name}.maxAttempts must be a whole number >= 1, or Infinity`,
  );
}

function need(ok: boolean, message: string): void {
  if (!ok) throw new SupervisorConfigError(message);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
