/** The dock's first state from the local cache (presets, selection, OBS URL, form draft), before the helper answers. */
import type { Preset } from '../../../shared/api-routes.js';
import { readJson, type KeyValueStore } from '../lib/storage.js';
import { EMPTY_FORM, FIELDS, type FormValues } from './channel-form.js';
import { parseSettings } from './presets.js';
import type { DockState } from './state.js';

/** localStorage keys (the storage wrapper prefixes them) */
export const KEY = { lang: 'lang', settings: 'settings', draft: 'draft' } as const;

/** Presets, selection, OBS URL and the form draft from the local cache, before the helper answers. */
export function hydrate(state: DockState, storage: KeyValueStore): DockState {
  const settings = parseSettings(readJson(storage, KEY.settings));
  const draft = readJson(storage, KEY.draft);
  let values: FormValues = state.form.values;
  if (draft && typeof draft === 'object') {
    values = { ...EMPTY_FORM };
    for (const f of FIELDS) {
      const v = (draft as Record<string, unknown>)[f];
      if (typeof v === 'string') values[f] = v;
    }
  }
  const list: Preset[] = settings?.presets ?? [];
  const selectedId = list.some((p) => p.id === settings?.selectedPresetId) ? settings?.selectedPresetId : undefined;
  return {
    ...state,
    presets: { list, selectedId },
    obs: { ...state.obs, url: settings?.obsUrl ?? state.obs.url },
    form: { ...state.form, values },
  };
}
