/** Saved channel setups: select, save, save as, rename, delete; each change is persisted (helper + local cache). */
import { channelToValues } from './channel-form.js';
import type { FormModel } from './form-model.js';
import type { ModelStore } from './model-store.js';
import { addPreset, newId, removePreset, updatePreset } from './presets.js';
import { isSupervising } from './selectors.js';

export interface PresetsModel {
  selectPreset(id: string): void;
  savePreset(): void;
  saveAsPreset(name: string): void;
  renamePreset(id: string, name: string): void;
  deletePreset(id: string): void;
}

export function createPresetsModel(
  m: ModelStore,
  form: FormModel,
  persist: () => void,
  random: () => number,
): PresetsModel {
  const { get, patch } = m;
  const invalid = () =>
    patch('presets', { error: { code: 'InvalidForm', message: 'Fix the channel fields first', retryable: false } });
  return {
    selectPreset(id) {
      const p = get().presets.list.find((x) => x.id === id);
      if (!p || isSupervising(get())) return; // the channel cannot change under a running supervisor
      patch('presets', { selectedId: id, error: undefined });
      form.setForm(channelToValues(p.channel));
      persist();
    },
    savePreset() {
      const id = get().presets.selectedId;
      const channel = form.currentChannel();
      if (!id) return;
      if (!channel) return invalid();
      patch('presets', { list: updatePreset(get().presets.list, id, { channel }), error: undefined });
      persist();
    },
    saveAsPreset(name) {
      const channel = form.currentChannel();
      if (!channel) return invalid();
      const id = newId(random).slice(0, 64);
      patch('presets', { list: addPreset(get().presets.list, id, name, channel), selectedId: id, error: undefined });
      persist();
    },
    renamePreset(id, name) {
      patch('presets', { list: updatePreset(get().presets.list, id, { name }) });
      persist();
    },
    deletePreset(id) {
      const p = get().presets;
      patch('presets', { list: removePreset(p.list, id), selectedId: p.selectedId === id ? undefined : p.selectedId });
      persist();
    },
  };
}
