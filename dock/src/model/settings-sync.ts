/**
 * Saves the settings document (presets, selection, OBS URL, chosen language): always to the local cache, and
 * to the helper (PUT /api/settings) when it is up, in order (one PUT at a time, the latest state each time).
 * Changes made while the helper was away are marked dirty and win when it comes back.
 */
import { isLang } from '../i18n/index.js';
import type { ApiClient } from '../api/client.js';
import { toDockError, type DockError } from '../api/errors.js';
import { writeJson, type KeyValueStore } from '../lib/storage.js';
import { KEY } from './hydrate.js';
import { toSettings } from './presets.js';
import type { DockState } from './state.js';

export interface SettingsSyncDeps {
  api: Pick<ApiClient, 'call'>;
  storage: KeyValueStore;
  state: () => DockState;
  /** the save's outcome, for the Presets section */
  onResult: (error: DockError | undefined) => void;
  report: (err: unknown) => void;
}

export interface SettingsSync {
  readonly dirty: boolean;
  persist(): void;
}

export function createSettingsSync(deps: SettingsSyncDeps): SettingsSync {
  let dirty = false;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    get dirty() {
      return dirty;
    },
    persist() {
      const s = deps.state();
      const chosen = deps.storage.get(KEY.lang);
      const doc = toSettings(s.presets.list, s.presets.selectedId, s.obs.url, isLang(chosen) ? chosen : undefined);
      writeJson(deps.storage, KEY.settings, doc);
      dirty = s.helper.status !== 'ready';
      if (dirty) return;
      chain = chain
        .then(() => deps.api.call('putSettings', doc))
        .then(
          () => deps.onResult(undefined),
          (err: unknown) => {
            dirty = true;
            deps.onResult(toDockError(err));
            deps.report(err);
          },
        );
    },
  };
}
