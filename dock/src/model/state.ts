/** The dock's whole state, one object the components read through `useStore(model.store)`. */
import type { HealthBody, Preset } from '../../../shared/api-routes.js';
import type { DockError } from '../api/errors.js';
import type { Lang, MessageKey } from '../i18n/index.js';
import type { FieldName, FormErrors, FormValues } from './channel-form.js';
import { EMPTY_FORM } from './channel-form.js';
import { IDLE_SNAPSHOT, type LogEntry, type Snapshot } from './supervisor-port.js';
import { DEFAULT_OBS_URL } from '../../../shared/obs-url.js';

export type HelperStatus = 'waiting' | 'ready' | 'unauthorized';
export type ObsStatus = 'idle' | 'connecting' | 'connected' | 'auth-failed' | 'unreachable' | 'invalidated';
export type LeaseStatus = 'none' | 'held' | 'other';

export interface StreamStats {
  /** ms the output has been active, from OBS (outputDuration) */
  durationMs?: number;
  bitrateKbps?: number;
  /** network-dropped frames (GetStreamStatus outputSkippedFrames / outputTotalFrames) */
  droppedFrames?: number;
  totalFrames?: number;
  /** frames the encoder skipped (GetStats outputSkippedFrames) plus render misses */
  skippedFrames?: number;
  /** 0..1 */
  congestion?: number;
  reconnecting?: boolean;
  active?: boolean;
  fps?: number;
  cpuUsage?: number;
}

export interface DockState {
  lang: Lang;
  helper: { status: HelperStatus; attempt: number; nextTryAt?: number; health?: HealthBody; lastError?: DockError };
  form: { values: FormValues; errors: FormErrors; touched: Partial<Record<FieldName, boolean>> };
  presets: { list: Preset[]; selectedId?: string; error?: DockError };
  obs: {
    url: string;
    password: string;
    status: ObsStatus;
    hintsSource?: string;
    /** the supervisor's next obs-websocket reconnect (its one reconnect loop), while not connected */
    nextTryAt?: number;
    closeCode?: number;
    message?: string;
    badUrl?: boolean;
  };
  lease: { status: LeaseStatus; holder?: string };
  /** what the supervisor says, as it says it (state kind, recovery, URL, presence, counters) */
  live: Snapshot;
  /** the supervisor's recent action-log entries, oldest first */
  log: readonly LogEntry[];
  stats: StreamStats;
  /** the latest error from any source, for the status panel */
  lastError?: DockError;
  /** Go live waits for OBS to accept the typed URL or password (it goes on by itself once they connect) */
  goPending: boolean;
  /** a short message for the Go live area (why Go live did nothing, e.g. "Connect to OBS first.") */
  notice?: MessageKey;
  /** result of the last sandbox fault */
  faultNote?: string;
}

export function initialState(lang: Lang): DockState {
  return {
    lang,
    helper: { status: 'waiting', attempt: 0 },
    form: { values: { ...EMPTY_FORM }, errors: {}, touched: {} },
    presets: { list: [] },
    obs: { url: DEFAULT_OBS_URL, password: '', status: 'idle' },
    lease: { status: 'none' },
    live: IDLE_SNAPSHOT,
    log: [],
    stats: {},
    goPending: false,
  };
}
