/**
 * The dock's model: wires the helper API client, the shared ObsClient and the supervisor runner, and keeps
 * one store the components subscribe to. Everything outside (fetch, OBS socket, supervisor, storage, clock,
 * randomness) is injected, so tests drive it with fakes and fake timers. The pieces live beside it, one concern
 * each: the form, presets, language, OBS fields and link, Go live, the helper's hydration, the live sync.
 */
import type { ObsClient } from '../../../shared/obs-client.js';
import type { ApiClient } from '../api/client.js';
import { toDockError } from '../api/errors.js';
import { detectLang, isLang, type Lang } from '../i18n/index.js';
import type { KeyValueStore } from '../lib/storage.js';
import { faultRequest } from './faults.js';
import { createFormModel, type FormModel } from './form-model.js';
import { createGoLive, type GoLive } from './go-live.js';
import { createHelperLink } from './helper-link.js';
import { onHelperReady } from './helper-ready.js';
import { hydrate, KEY } from './hydrate.js';
import { createLangModel } from './lang-model.js';
import { syncLive } from './live-sync.js';
import { createModelStore, type ModelStore } from './model-store.js';
import { createObsFields } from './obs-fields.js';
import { createObsLink } from './obs-link.js';
import { createPresetsModel } from './presets-model.js';
import { newId } from './presets.js';
import { createSettingsSync } from './settings-sync.js';
import { initialState } from './state.js';
import { createStatsPoller } from './stats-poller.js';
import type { SupervisorHandle } from './supervisor-port.js';
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
  const chosen = deps.storage.get(KEY.lang);
  const m = createModelStore(hydrate(initialState(isLang(chosen) ? chosen : detectLang(deps.languages)), deps.storage));
  const { switchLang } = createLangModel(m);
  const form = createFormModel(m, deps.storage);
  const w = wire(deps, m, form, { now, random, switchLang });
  return {
    store: m.store,
    api: deps.api,
    now,
    start: w.start,
    dispose: w.dispose,
    retryHelper: () => w.helper.retryNow(),
    setLang(lang: Lang) {
      deps.storage.set(KEY.lang, lang);
      switchLang(lang);
      w.persist();
    },
    setField: form.setField,
    ...createPresetsModel(m, form, w.persist, random),
    ...w.obsFields,
    goLive: () => w.golive.goLive(),
    stop: () => w.golive.stop(),
    retryNow: () => w.supervisor.retryNow(),
    exportLog: () => w.supervisor.exportLog(),
    injectFault: (kind) => injectFault(m, deps.api, kind),
  };
}

interface WireOptions {
  now: () => number;
  random: () => number;
  switchLang: (lang: Lang) => void;
}

/** The parts that talk to the outside (helper, OBS, supervisor) and how their events reach each other. */
function wire(deps: DockModelDeps, m: ModelStore, form: FormModel, o: WireOptions) {
  const { api, storage, obs } = deps;
  let disposed = false;
  const helper = createHelperLink({ api, now: o.now, random: o.random, patch: (p) => m.patch('helper', p), onReady });
  const report = (e: unknown) => helper.report(e);
  const onResult = (error: ReturnType<typeof toDockError> | undefined) => m.patch('presets', { error });
  const settings = createSettingsSync({ api, storage, state: m.get, onResult, report });
  const persist = () => settings.persist();
  const obsLink = createObsLink({ client: obs, fields: () => m.get().obs, patch: (p) => m.patch('obs', p) });
  const obsFields = createObsFields(m, obsLink, persist);
  const stats = createStatsPoller({ client: obs, now: o.now, onStats: (s) => m.store.update({ stats: s }) });
  const holder = deps.holder ?? `dock-${newId(o.random).slice(0, 18)}`;
  const obsUrl = () => m.get().obs.url;
  const reconnectObs = () => obsLink.ensureConnected();
  const supervisor = deps.createSupervisor({ obs, api, holder, ...o, obsUrl, reconnectObs, reportApiError: report });
  const golive = createGoLive({ store: m.store, api, obs, obsLink, supervisor, channel: form.currentChannel, report });
  const offs = [...follow(m, obs, stats), ...followSupervisor(m, supervisor, golive)];

  function onReady(): void {
    const obsIdle = () => obs.state === 'idle';
    const edited = obsFields.edited;
    void onHelperReady({
      m,
      api,
      storage,
      settings,
      form,
      obsLink,
      obsIdle,
      supervisor,
      ...o,
      edited,
      report,
      disposed: () => disposed,
    });
  }

  return {
    helper,
    persist,
    obsFields,
    supervisor,
    golive,
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
  };
}

/** OBS's stream figures, polled while connected (and at once after a stream state change). */
function follow(m: ModelStore, obs: ObsClient, stats: ReturnType<typeof createStatsPoller>): Array<() => void> {
  return [
    obs.on('connected', () => stats.start()),
    obs.on('closed', () => (stats.stop(), m.store.update({ stats: {} }))),
    obs.on('StreamStateChanged', () => stats.kick()),
  ];
}

/** Every snapshot the supervisor publishes reaches the store, then Go live (which keeps the user's intent). */
function followSupervisor(m: ModelStore, supervisor: SupervisorHandle, golive: GoLive): Array<() => void> {
  const onSnapshot = () => {
    syncLive(m, supervisor, supervisor.getSnapshot());
    golive.onView(m.get().live);
  };
  onSnapshot();
  return [supervisor.subscribe(onSnapshot), golive.dispose];
}

async function injectFault(m: ModelStore, api: DockModelDeps['api'], kind: FaultKind): Promise<void> {
  const req = faultRequest(kind, m.get().form.values);
  try {
    await api.call('fault', req);
    m.store.update({ faultNote: `${kind}: ok` });
  } catch (err) {
    const e = toDockError(err);
    m.store.update({ faultNote: `${kind}: ${e.code} ${e.message}` });
  }
}
