/**
 * A real OBS for a CLI-driven test, with OBS's own auto-reconnect off (every recovery the test sees is the
 * supervisor's), and an independent obs-websocket client on it: the test's eyes and OBS's own buttons.
 */
import JsonOBSWebSocket from 'obs-websocket-js/json';
import { ObsClient } from '../../shared/obs-client.js';
import { startObs, type ObsHandle } from './obs-rig.js';

export async function startObsWithUser(): Promise<{ obs: ObsHandle; user: ObsClient }> {
  const obs = await startObs({ reconnect: { enabled: false } });
  const user = new ObsClient({ createSocket: () => new JsonOBSWebSocket() });
  await user.connect(obs.url, obs.password);
  return { obs, user };
}
