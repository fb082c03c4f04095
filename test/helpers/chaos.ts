/**
 * Pieces of the supervisor chaos test (test/integration/chaos.test.ts) that hold no OBS and no sandbox:
 * the seeded PRNG and the fault plan, a cloud client that records every Create call, and the summary table.
 */
import { LiveApiClient, type IngestUrl } from '../../script/cloud/api-client.js';
import type { CreateParams } from '../../shared/cloud-schemas.js';
import type { Config } from '../../shared/supervisor/index.js';

// ---------------------------------------------------------------- randomness

/** mulberry32: the same seed gives the same plan (the seed is printed; ARTC_CHAOS_SEED replays it). */
export function prng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), t | 1);
    r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function chaosSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ARTC_CHAOS_SEED?.trim();
  if (raw) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
      throw new Error(`ARTC_CHAOS_SEED must be a whole number 0..4294967295, got "${raw}"`);
    return n;
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

export const int = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
export const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

export function shuffle<T>(rand: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---------------------------------------------------------------- the plan

/**
 * The supervisor's settings for chaos runs (the chaos test and `npm run soak`): fast polls, 40 s URLs (the spare is
 * re-minted 20 s before expiry; one with less than 10 s left is not used), short backoffs. Faults come every few
 * seconds on purpose, so the storm brake (one try per 30 s) is off: restart storms are counted by the runs instead
 * (recoveries and Create calls per fault).
 */
export const CHAOS_EXPIRE_S = 40;
export const CHAOS_CONFIG: Partial<Config> = {
  pollIntervalMs: 400,
  pollMaxIntervalMs: 3_000,
  absentPollsToRecover: 2,
  confirmPollMs: 300,
  reconnectGraceMs: 0,
  startTimeoutMs: 10_000,
  stopTimeoutMs: 8_000,
  confirmTimeoutMs: 15_000,
  refreshAheadFraction: 0.5,
  refreshAheadMinMs: 15_000,
  minUsableValidityMs: 10_000,
  refreshBackoff: { baseMs: 1_000, capMs: 5_000, floorMs: 500, maxAttempts: Infinity },
  retry: { baseMs: 500, capMs: 4_000, floorMs: 200, maxAttempts: Infinity },
  obsReconnect: { baseMs: 250, capMs: 2_000, floorMs: 100, maxAttempts: Infinity },
  stormThreshold: 100_000,
};

export type FaultKind = 'kick' | 'silent-removal' | 'api-5xx' | 'throttling' | 'expired-then-kick' | 'obs-restart';
export const FAULT_KINDS: readonly FaultKind[] = [
  'kick',
  'silent-removal',
  'api-5xx',
  'throttling',
  'expired-then-kick',
  'obs-restart',
];

/** The user's Stop, from OBS (another obs-websocket client's StopStream, like OBS's button) or the dock (runner.stop()). */
export type StopMode =
  | 'obs-button-live'
  | 'dock-live'
  | 'dock-mid-recovery'
  | 'obs-button-confirming'
  | 'obs-button-mid-removal'
  | 'dock-in-backoff';
export const STOP_MODES: readonly StopMode[] = [
  'obs-button-live',
  'dock-live',
  'dock-mid-recovery',
  'obs-button-confirming',
  'obs-button-mid-removal',
  'dock-in-backoff',
];

export type Step = { type: 'fault'; kind: FaultKind } | { type: 'stop'; mode: StopMode };

/** `counts` faults of each kind, shuffled, with every stop mode placed at a random position (never first). */
export function planSteps(rand: () => number, counts: Record<FaultKind, number>): Step[] {
  const faults = shuffle(
    rand,
    FAULT_KINDS.flatMap((kind) => Array.from({ length: counts[kind] }, () => ({ type: 'fault', kind }) as Step)),
  );
  const steps = [...faults];
  for (const mode of shuffle(rand, STOP_MODES)) steps.splice(int(rand, 1, steps.length), 0, { type: 'stop', mode });
  return steps;
}

// ---------------------------------------------------------------- counting Create calls

export interface MintRecord {
  at: number;
  /** the supervisor's state when it asked: 'minting' = a Create on a recovery's critical path, 'live' = the spare */
  state: string;
  ok: boolean;
  code?: string;
  ms?: number;
}

/** The cloud client `run` uses, recording each Create call (one record per call the supervisor makes, retries inside). */
export class CountingClient extends LiveApiClient {
  readonly mints: MintRecord[] = [];
  stateOf: () => string = () => '?';

  override async createRoomRealTimeStreamAddress(input: CreateParams): Promise<IngestUrl> {
    const rec: MintRecord = { at: Date.now(), state: this.stateOf(), ok: false };
    this.mints.push(rec);
    try {
      const url = await super.createRoomRealTimeStreamAddress(input);
      rec.ok = true;
      return url;
    } catch (e) {
      rec.code = (e as { code?: string }).code ?? 'Error';
      throw e;
    } finally {
      rec.ms = Date.now() - rec.at;
    }
  }
}

// ---------------------------------------------------------------- summary

export interface FaultRecord {
  n: number;
  kind: FaultKind;
  variant: string;
  /** detections expected: [min, max] (0 for throttled live polling; 2 for a restart in the middle of a recovery) */
  expected: [number, number];
  /** detection reasons logged (entries with `recovery`) from injection to recovered */
  reasons: string[];
  recoverMs: number;
  /** Create calls the supervisor made from injection to recovered (spare refresh on entering live included) */
  creates: number;
  createsOk: number;
  /** of which on a recovery's critical path (asked while minting) */
  createsCritical: number;
  /** HTTP Create requests the sandbox answered in the window (the client's own retries included) */
  createHttp: number;
  /** of which answered with an error (injected bursts) */
  createHttpFailed: number;
  offAirMs: number;
  /** the supervisor's states from injection to recovered */
  states: string;
}

export interface StopRecord {
  mode: StopMode;
  /** the supervisor's state when Stop was pressed */
  stateAtStop: string;
  toStoppedMs: number;
  reasons: string[];
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lpad = (s: string | number, n: number) => String(s).padStart(n);

export function summaryTable(records: readonly FaultRecord[]): string {
  const lines = [
    `${pad('kind', 18)}${lpad('faults', 7)}${lpad('recov', 7)}${lpad('p50 ms', 8)}${lpad('p90 ms', 8)}${lpad('max ms', 8)}  ${pad('Create calls: n(ok,critical) x faults', 34)}${lpad('off-air s', 10)}  detections`,
  ];
  for (const kind of FAULT_KINDS) {
    const rs = records.filter((r) => r.kind === kind);
    if (rs.length === 0) continue;
    lines.push(row(kind, rs));
  }
  lines.push(row('all', records));
  return lines.join('\n');

  function row(name: string, rs: readonly FaultRecord[]): string {
    const times = rs.map((r) => r.recoverMs);
    const reasons = new Map<string, number>();
    for (const r of rs) for (const why of r.reasons) reasons.set(why, (reasons.get(why) ?? 0) + 1);
    const recov = rs.reduce((a, r) => a + r.reasons.length, 0);
    const creates = histogram(rs.map((r) => `${r.creates}(${r.createsOk},${r.createsCritical})`));
    const offAir = rs.reduce((a, r) => a + r.offAirMs, 0) / 1000;
    const why = [...reasons].map(([k, v]) => `${k} ${v}`).join(', ') || '-';
    return `${pad(name, 18)}${lpad(rs.length, 7)}${lpad(recov, 7)}${lpad(percentile(times, 50), 8)}${lpad(percentile(times, 90), 8)}${lpad(Math.max(...times), 8)}  ${pad(creates, 34)}${lpad(offAir.toFixed(1), 10)}  ${why}`;
  }
}

function histogram(values: readonly string[]): string {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m]
    .sort()
    .map(([k, v]) => `${k}x${v}`)
    .join(' ');
}
