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
import { lazySupervisor, retryByReload } from './model/lazy-supervisor.js';
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
    retryByReload(() => import('./model/supervisor-adapter.js').then((m) => m.createSupervisorAdapter), {
      helperAnswers,
      reload: () => location.reload(),
    }),
  ),
  languages: navigator.languages,
});

/** The helper serves this page: a HEAD of it (never cached: the service worker passes non-GETs through), 5 s. */
async function helperAnswers(): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5_000);
  try {
    return (await fetch('./', { method: 'HEAD', cache: 'no-store', signal: controller.signal })).ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

render(<App model={model} />, document.getElementById('app')!);
// keeps the page for the next start of OBS, when the helper may not answer yet (dock/public/sw.js); optional:
// a dock without it works the same while the helper runs
navigator.serviceWorker?.register('./sw.js').catch(() => undefined);
model.start();
addEventListener('pagehide', () => model.dispose());
