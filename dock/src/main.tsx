/**
 * The dock's entry: read the helper token (and strip it from the address bar), build the API client, the
 * shared ObsClient over a small obs-websocket transport and the supervisor, then render. Nothing
 * here talks to the network before the model starts; the model waits for the helper and never renders blank.
 */
import { render } from 'preact';
import { ObsClient } from '../../shared/obs-client.js';
import { createApiClient } from './api/client.js';
import { readToken } from './api/token.js';
import { App } from './components/App/index.js';
import { createStorage } from './lib/storage.js';
import { createDockModel } from './model/create-model.js';
import { createSupervisorAdapter } from './model/supervisor-adapter.js';
import { ObsSocket } from './obs/obs-socket.js';

const storage = createStorage();
const token = readToken(location, history, storage);
const api = createApiClient({ token: () => token });
// our own small obs-websocket transport (obs/obs-socket.ts), not obs-websocket-js: the bundle budget
const obs = new ObsClient({ createSocket: () => new ObsSocket() });
const model = createDockModel({
  api,
  obs,
  storage,
  createSupervisor: createSupervisorAdapter,
  languages: navigator.languages,
});

render(<App model={model} />, document.getElementById('app')!);
model.start();
addEventListener('pagehide', () => model.dispose());
