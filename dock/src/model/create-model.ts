/**
 * The dock's model: wires the helper API client, the shared ObsClient and the supervisor runner, and keeps
 * one store the components subscribe to. Everything outside (fetch, OBS socket, supervisor, storage, clock,
 * randomness) is injected, so tests drive it with fakes and fake timers.
 */
import type { ApiClient } from '../api/client.js';
import { toDockError } from '../api/errors.js';
import { detectLang, isLang, loadLang, type Lang } from '../i18n/index.js';
import { writeJson, type KeyValueStore } from '../lib/storage.js';
import { createStore } from '../lib/store.js';
import type { ObsClient } from '../../../shared/obs-client.js';
import type { ChannelSettings, SettingsBody } from '../../../shared/api-routes.js';
import {
  FIELDS,
  channelToValues,
  validateField,
  validateForm,
  type FieldName,
  type FormValues,
} from './channel-form.js';
import { faultRequest } from './faults.js';
import { hydrate, KEY } from './hydrate.js';
import { createGoLive } from './go-live.js';
import { createHelperLink } from './helper-link.js';
import { createObsLink } from './obs-link.js';
import { addPreset, newId, removePreset, updatePreset } from './presets.js';
import { createSettingsSync } from './settings-sync.js';
import { isSupervising } from './selectors.js';
import { initialState, type DockState } from './state.js';
import { createStatsPoller } from './stats-poller.js';
import type { LiveView, SupervisorHandle } from './supervisor-port.js';
import type { DockModel, FaultKind } from './types.js';

/** What the supervisor adapter gets from the model to build its ports. */
export interface SupervisorEnv {
  obs: ObsClient;
  api: ApiClient;
  /** this dock instance's lease holder id */
  holder: string;
  now: () => number;
  random: () => number;
  /** the OBS URL the lease is keyed on */
  obsUrl: () => string;
  /** the supervisor wants obs-websocket back: resolves once identified (joins a connect in flight) */
  reconnectObs: () => Promise<void>;
  /** a helper call made for the supervisor failed: the model checks whether the helper went away */
  reportApiError: (err: unknown) => void;
}

export type SupervisorFactory = (env: SupervisorEnv) => SupervisorHandle;

export interface DockModelDeps {
  api: ApiClient;
  obs: ObsClient;
  createSupervisor: SupervisorFactory;
  storage: KeyValueStore;
  languages?: readonly string[];
  now?: () => number;
  random?: () => number;
  /** lease holder id; default a random id per dock instance */
  holder?: string;
}

export function createDockModel(deps: DockModelDeps): DockModel {
  const now = deps.now ?? (() => Date.now());
  const random = deps.random ?? Math.random;
  const { api, storage } = deps;
  const holder = deps.holder ?? `dock-${newId(random).slice(0, 18)}`;
  const chosenLang = storage.get(KEY.lang);
  const store = createStore<DockState>(
    hydrate(initialState(isLang(chosenLang) ? chosenLang : detectLang(deps.languages)), storage),
  );
  const get = store.getSnapshot;
  const patch = <K extends 'helper' | 'form' | 'presets' | 'obs' | 'lease'>(key: K, p: Partial<DockState[K]>) =>
    store.update({ [key]: { ...get()[key], ...p } } as Partial<DockState>);

  let userEdited = { obsUrl: false, obsPassword: false };

  /** Switches once the language's table is there (English meanwhile); the latest pick wins a slow load. */
  let wantedLang = get().lang;
  function switchLang(lang: Lang): void {
    wantedLang = lang;
    loadLang(lang).then(
      () => wantedLang === lang && get().lang !== lang && store.update({ lang }),
      () => undefined, // the helper went away mid-fetch: stays in the current language; the next pick tries again
    );
  }
  if (wantedLang !== 'en') store.update({ lang: 'en' });
  switchLang(wantedLang);
  let disposed = false;

  const helper = createHelperLink({
    api,
    now,
    random,
    patch: (p) => patch('helper', p),
    onReady: () => void onHelperReady(),
  });
  const settings = createSettingsSync({
    api,
    storage,
    state: get,
    onResult: (error) => patch('presets', { error }),
    report: (e) => helper.report(e),
  });
  const persistSettings = () => settings.persist();
  const obsLink = createObsLink({ client: deps.obs, fields: () => get().obs, patch: (p) => patch('obs', p) });
  const stats = createStatsPoller({ client: deps.obs, now, onStats: (s) => store.update({ stats: s }) });
  const offs = [
    deps.obs.on('connected', () => stats.start()),
    deps.obs.on('closed', () => {
      stats.stop();
      store.update({ stats: {} });
    }),
    deps.obs.on('StreamStateChanged', () => stats.kick()),
  ];

  const supervisor = deps.createSupervisor({
    obs: deps.obs,
    api,
    holder,
    now,
    random,
    obsUrl: () => get().obs.url,
    reconnectObs: () => obsLink.ensureConnected(),
    reportApiError: (err) => helper.report(err),
  });
  const golive = createGoLive({
    store,
    api,
    obs: deps.obs,
    obsLink,
    supervisor,
    channel: () => currentChannel(),
    report: (e) => helper.report(e),
  });
  offs.push(
    supervisor.subscribe(() => syncLive(supervisor.getSnapshot())),
    golive.dispose,
  );
  syncLive(supervisor.getSnapshot());

  function syncLive(view: LiveView): void {
    const prev = get().live;
    const next: Partial<DockState> = { live: view };
    if (view.lastError && view.lastError !== prev.lastError) next.lastError = { ...view.lastError, retryable: false };
    next.lease = view.supervisedBy
      ? { status: 'other', holder: view.supervisedBy }
      : { status: isSupervising({ ...get(), live: view }) ? 'held' : 'none' };
    store.update(next);
    // the one obs-websocket reconnect loop is the supervisor's: its next try is the countdown by the OBS fields
    if (get().obs.nextTryAt !== view.obsNextTryAt) patch('obs', { nextTryAt: view.obsNextTryAt });
    golive.onView(view);
  }

  // ---------------------------------------------------------------- helper

  async function onHelperReady(): Promise<void> {
    const [loaded, hints, intent] = await Promise.allSettled([
      api.call('getSettings'),
      api.call('obsHints'),
      api.call('getIntent'),
    ]);
    if (disposed) return;
    if (loaded.status === 'fulfilled') applySettings(loaded.value);
    else helper.report(loaded.reason);
    if (hints.status === 'fulfilled') {
      const h = hints.value;
      const obs: Partial<DockState['obs']> = { hintsSource: h.source };
      if (!userEdited.obsUrl && !(loaded.status === 'fulfilled' && loaded.value.obsUrl)) obs.url = h.url;
      if (!userEdited.obsPassword && h.password !== undefined) obs.password = h.password;
      patch('obs', obs);
    }
    if (deps.obs.state === 'idle') void obsLink.connect();
    if (intent.status === 'fulfilled' && intent.value.shouldBeLive && intent.value.channel && !isSupervising(get())) {
      setForm(channelToValues(intent.value.channel));
      supervisor.resume(intent.value.channel);
    }
  }

  function applySettings(doc: SettingsBody): void {
    if (settings.dirty) return persistSettings(); // local changes made while the helper was away win
    writeJson(storage, KEY.settings, doc);
    const selected = doc.presets.find((p) => p.id === doc.selectedPresetId);
    patch('presets', { list: doc.presets, selectedId: selected?.id, error: undefined });
    if (doc.obsUrl && !userEdited.obsUrl) patch('obs', { url: doc.obsUrl });
    if (doc.language && !isLang(storage.get(KEY.lang))) switchLang(doc.language);
    if (selected && !isSupervising(get())) setForm(channelToValues(selected.channel));
  }

  // ---------------------------------------------------------------- form and presets

  function setForm(values: FormValues): void {
    const errors: DockState['form']['errors'] = {};
    for (const f of FIELDS) {
      const e = validateField(f, values[f]);
      if (e) errors[f] = e;
    }
    store.update({ form: { values, errors, touched: {} } });
    writeJson(storage, KEY.draft, values);
  }

  function currentChannel(): ChannelSettings | undefined {
    const { channel, errors } = validateForm(get().form.values);
    if (!channel) {
      const touched = Object.fromEntries(FIELDS.map((f) => [f, true]));
      store.update({ form: { ...get().form, errors, touched } });
    }
    return channel;
  }

  function presetsError(code: string, message: string): void {
    patch('presets', { error: { code, message, retryable: false } });
  }

  // ---------------------------------------------------------------- sandbox

  async function injectFault(kind: FaultKind): Promise<void> {
    const req = faultRequest(kind, get().form.values);
    try {
      await api.call('fault', req);
      store.update({ faultNote: `${kind}: ok` });
    } catch (err) {
      const e = toDockError(err);
      store.update({ faultNote: `${kind}: ${e.code} ${e.message}` });
    }
  }

  return {
    store,
    api,
    now,
    start() {
      disposed = false;
      helper.start();
    },
    dispose() {
      disposed = true;
      helper.dispose();
      stats.stop();
      obsLink.dispose();
      supervisor.dispose();
      for (const off of offs) off();
    },
    retryHelper: () => helper.retryNow(),
    setLang(lang: Lang) {
      storage.set(KEY.lang, lang);
      switchLang(lang);
      persistSettings();
    },
    setField(name: FieldName, value: string) {
      const form = get().form;
      const values = { ...form.values, [name]: value };
      const errors = { ...form.errors };
      const e = validateField(name, value);
      if (e) errors[name] = e;
      else delete errors[name];
      store.update({ form: { values, errors, touched: { ...form.touched, [name]: true } }, notice: undefined });
      writeJson(storage, KEY.draft, values);
    },
    selectPreset(id: string) {
      const p = get().presets.list.find((x) => x.id === id);
      if (!p || isSupervising(get())) return;
      patch('presets', { selectedId: id, error: undefined });
      setForm(channelToValues(p.channel));
      persistSettings();
    },
    savePreset() {
      const id = get().presets.selectedId;
      const channel = currentChannel();
      if (!id) return;
      if (!channel) return presetsError('InvalidForm', 'Fix the channel fields first');
      patch('presets', { list: updatePreset(get().presets.list, id, { channel }), error: undefined });
      persistSettings();
    },
    saveAsPreset(name: string) {
      const channel = currentChannel();
      if (!channel) return presetsError('InvalidForm', 'Fix the channel fields first');
      const id = newId(random).slice(0, 64);
      patch('presets', { list: addPreset(get().presets.list, id, name, channel), selectedId: id, error: undefined });
      persistSettings();
    },
    renamePreset(id: string, name: string) {
      patch('presets', { list: updatePreset(get().presets.list, id, { name }) });
      persistSettings();
    },
    deletePreset(id: string) {
      const p = get().presets;
      patch('presets', { list: removePreset(p.list, id), selectedId: p.selectedId === id ? undefined : p.selectedId });
      persistSettings();
    },
    setObsUrl(url: string) {
      userEdited = { ...userEdited, obsUrl: true };
      patch('obs', { url });
      obsLink.edited();
    },
    setObsPassword(password: string) {
      userEdited = { ...userEdited, obsPassword: true };
      patch('obs', { password });
      obsLink.edited();
    },
    connectObs() {
      void obsLink.connect().then((ok) => ok && persistSettings());
    },
    goLive: () => golive.goLive(),
    stop: () => golive.stop(),
    retryNow: () => supervisor.retryNow(),
    exportLog: () => supervisor.exportLog(),
    injectFault,
  };
}
