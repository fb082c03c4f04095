/** The model's public surface: what components and the app shell call. */
import type { HealthBody } from '../../../shared/api-routes.js';
import type { ApiClient } from '../api/client.js';
import type { ReadableStore } from '../lib/store.js';
import type { Lang } from '../i18n/index.js';
import type { FieldName } from './channel-form.js';
import type { DockState } from './state.js';

export type FaultKind = 'kick' | 'remove' | 'fail-next' | 'shift-clock';

export interface DockModel {
  readonly store: ReadableStore<DockState>;
  /** the helper API, for sections that keep their own settings with the helper (Alerts) */
  readonly api: Pick<ApiClient, 'call'>;
  /** the model's clock (ms), for countdowns */
  now(): number;
  /** start: wait for the helper, load settings, hints and intent, connect to OBS */
  start(): void;
  dispose(): void;

  retryHelper(): void;
  setLang(lang: Lang): void;

  setField(name: FieldName, value: string): void;
  selectPreset(id: string): void;
  savePreset(): void;
  saveAsPreset(name: string): void;
  renamePreset(id: string, name: string): void;
  deletePreset(id: string): void;

  setObsUrl(url: string): void;
  setObsPassword(password: string): void;
  connectObs(): void;

  goLive(): Promise<void>;
  stop(): Promise<void>;
  retryNow(): void;

  /** the action log as JSON lines (one object per line) */
  exportLog(): string;
  injectFault(kind: FaultKind): Promise<void>;
}

export type { DockState, HealthBody };
