/** Settings and small pieces of `npm run soak` (test/bench/soak.ts): env, the channel, the fault kinds, log lines. */
import { fileURLToPath } from 'node:url';
import type { Config, LogEntry } from '../../../shared/supervisor/index.js';
import { CHAOS_CONFIG, CHAOS_EXPIRE_S, FAULT_KINDS, type FaultKind } from '../../helpers/chaos.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const FAULTS = Number(process.env.ARTC_SOAK_FAULTS ?? 50);
export const EXPIRE_S = CHAOS_EXPIRE_S;
export const SAMPLE_MS = 250;
/** a recovered fault slower than this keeps its log in the report */
export const SLOW_MS = 5_000;
/** healthy time before each fault, ms (uniform) */
export const GAP_MS = [
  Number(process.env.ARTC_SOAK_GAP_MIN_MS ?? 500),
  Number(process.env.ARTC_SOAK_GAP_MAX_MS ?? 3_000),
] as const;
export const CHANNEL = {
  appId: 'soakApp',
  channelId: 'soak-room',
  userId: 'obs-soak',
  displayName: 'Soak OBS',
  expireTime: EXPIRE_S,
};
export const CONFIG: Partial<Config> = CHAOS_CONFIG;
export type SoakKind = FaultKind | 'helper-restart';
export const KINDS: readonly SoakKind[] = [...FAULT_KINDS, 'helper-restart'];

export interface Unrecovered {
  n: number;
  kind: SoakKind;
  error: string;
  log: string[];
  obsStates: string[];
  sandboxLog: string[];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const say = (line: string) => console.log(`[soak] ${line}`);
export const hhmmss = (t: number) => new Date(t).toISOString().slice(11, 23);
export const fmtEntry = (e: LogEntry) =>
  `${hhmmss(e.at)} ${(e.state ?? '').padEnd(12)} ${e.level} ${e.reason}: ${e.message}`;
