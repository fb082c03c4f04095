/**
 * The dock's entry: read the helper token (and strip it from the address bar), build the API client, the
 * shared ObsClient over obs-websocket-js (its browser JSON build) and the supervisor (loaded when first needed),
 * then render. Nothing
 * here talks to the network before the model starts; the model waits for the helper and never renders blank.
 */
import { render } from 'preact';
import { ObsClient } from '../../shared/obs-client.js';
import { createApiClient } from './api/client.js';
import { readToken } from './api/token.js';
import { App } from './components/App/index.js';
import { createStorage } from './lib/storage.js';
import { createDockModel } from './model/create-model.js';
import { lazySupervisor, type PageReload } from './model/lazy-supervisor.js';
import OBSWebSocket from 'obs-websocket-js';

const storage = createStorage();
const token = readToken(location, history, storage);
const api = createApiClient({ token: () => token });
// obs-websocket-js, the protocol's own client, wrapped by ObsClient for deadlines and close handling
const obs = new ObsClient({ createSocket: () => new OBSWebSocket() });
const model = createDockModel({
  api,
  obs,
  storage,
  // the supervisor's chunk is fetched when first needed (see model/lazy-supervisor.ts)
  createSupervisor: lazySupervisor(
    () => import('./model/supervisor-adapter.js').then((m) => m.createSupervisorAdapter),
    pageReload(),
  ),
  languages: navigator.languages,
});

/** Reloading the page, for a supervisor chunk that failed to load (see PageReload); the last one kept per tab. */
function pageReload(): PageReload {
  const KEY = 'artc-ingest:supervisor-reload-at';
  return {
    // the same check the helper link makes (GET /api/health, with the API client's deadline)
    helperAnswers: () =>
      api.call('health').then(
        () => true,
        () => false,
      ),
    reload() {
      try {
        sessionStorage.setItem(KEY, String(Date.now()));
      } catch {
        /* storage denied: the reload still happens */
      }
      location.reload();
    },
    sinceLastReload() {
      try {
        const at = Number(sessionStorage.getItem(KEY));
        return at ? Date.now() - at : undefined;
      } catch {
        return 0; // unknown: treat as just now, so no reload happens unasked
      }
    },
  };
}

render(<App model={model} />, document.getElementById('app')!);
// keeps the page for the next start of OBS, when the helper may not answer yet (dock/public/sw.js); optional:
// a dock without it works the same while the helper runs
navigator.serviceWorker?.register('./sw.js').catch(() => undefined);
model.start();
addEventListener('pagehide', () => model.dispose());
