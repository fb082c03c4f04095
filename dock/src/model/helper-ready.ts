/**
 * The helper answered (first time, or back after a restart): load the saved settings, OBS's own websocket hints
 * and the intent. Local changes made while the helper was away win over its copy; what the user typed into the
 * OBS fields wins over hints; an intent that says "should be live" resumes supervision (a healthy stream is kept).
 */
import type { SettingsBody } from '../../../shared/api-routes.js';
import type { ApiClient } from '../api/client.js';
import { isLang, type Lang } from '../i18n/index.js';
import { writeJson, type KeyValueStore } from '../lib/storage.js';
import { channelToValues } from './channel-form.js';
import type { FormModel } from './form-model.js';
import { KEY } from './hydrate.js';
import type { ModelStore } from './model-store.js';
import type { ObsLink } from './obs-link.js';
import { isSupervising } from './selectors.js';
import type { SettingsSync } from './settings-sync.js';
import type { DockState } from './state.js';
import type { SupervisorHandle } from './supervisor-port.js';

export interface HelperReadyDeps {
  m: ModelStore;
  api: Pick<ApiClient, 'call'>;
  storage: KeyValueStore;
  settings: SettingsSync;
  form: FormModel;
  obsLink: ObsLink;
  obsIdle: () => boolean;
  supervisor: SupervisorHandle;
  switchLang: (lang: Lang) => void;
  /** which OBS fields the user typed into (their values win over hints and saved settings) */
  edited: () => { url: boolean; password: boolean };
  report: (err: unknown) => void;
  disposed: () => boolean;
}

export async function onHelperReady(d: HelperReadyDeps): Promise<void> {
  const [loaded, hints, intent] = await Promise.allSettled([
    d.api.call('getSettings'),
    d.api.call('obsHints'),
    d.api.call('getIntent'),
  ]);
  if (d.disposed()) return;
  if (loaded.status === 'fulfilled') applySettings(d, loaded.value);
  else d.report(loaded.reason);
  if (hints.status === 'fulfilled') {
    const h = hints.value;
    const obs: Partial<DockState['obs']> = { hintsSource: h.source };
    if (!d.edited().url && !(loaded.status === 'fulfilled' && loaded.value.obsUrl)) obs.url = h.url;
    if (!d.edited().password && h.password !== undefined) obs.password = h.password;
    d.m.patch('obs', obs);
  }
  if (d.obsIdle()) void d.obsLink.connect();
  const want = intent.status === 'fulfilled' ? intent.value : undefined;
  if (want?.shouldBeLive && want.channel && !isSupervising(d.m.get())) {
    d.form.setForm(channelToValues(want.channel));
    d.supervisor.resume(want.channel);
  }
}

function applySettings(d: HelperReadyDeps, doc: SettingsBody): void {
  if (d.settings.dirty) return d.settings.persist(); // local changes made while the helper was away win
  writeJson(d.storage, KEY.settings, doc);
  const selected = doc.presets.find((p) => p.id === doc.selectedPresetId);
  d.m.patch('presets', { list: doc.presets, selectedId: selected?.id, error: undefined });
  if (doc.obsUrl && !d.edited().url) d.m.patch('obs', { url: doc.obsUrl });
  if (doc.language && !isLang(d.storage.get(KEY.lang))) d.switchLang(doc.language);
  if (selected && !isSupervising(d.m.get())) d.form.setForm(channelToValues(selected.channel));
}
