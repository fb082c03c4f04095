/** The channel form: typed values with per-field errors, the saved draft, and the channel it makes (or its errors). */
import type { ChannelSettings } from '../../../shared/api-routes.js';
import { writeJson, type KeyValueStore } from '../lib/storage.js';
import { FIELDS, validateField, validateForm, type FieldName, type FormValues } from './channel-form.js';
import { KEY } from './hydrate.js';
import type { ModelStore } from './model-store.js';
import type { DockState } from './state.js';

export interface FormModel {
  /** replaces every value (a preset, a resumed intent), checked but not yet touched */
  setForm(values: FormValues): void;
  /** one field as typed */
  setField(name: FieldName, value: string): void;
  /** the channel the form holds; undefined after marking every field's error */
  currentChannel(): ChannelSettings | undefined;
}

export function createFormModel({ store, get }: ModelStore, storage: KeyValueStore): FormModel {
  return {
    setForm(values) {
      const errors: DockState['form']['errors'] = {};
      for (const f of FIELDS) {
        const e = validateField(f, values[f]);
        if (e) errors[f] = e;
      }
      store.update({ form: { values, errors, touched: {} } });
      writeJson(storage, KEY.draft, values);
    },
    setField(name, value) {
      const form = get().form;
      const values = { ...form.values, [name]: value };
      const errors = { ...form.errors };
      const e = validateField(name, value);
      if (e) errors[name] = e;
      else delete errors[name];
      store.update({ form: { values, errors, touched: { ...form.touched, [name]: true } }, notice: undefined });
      writeJson(storage, KEY.draft, values);
    },
    currentChannel() {
      const { channel, errors } = validateForm(get().form.values);
      if (!channel) {
        const touched = Object.fromEntries(FIELDS.map((f) => [f, true]));
        store.update({ form: { ...get().form, errors, touched } });
      }
      return channel;
    },
  };
}
