/**
 * The supervisor's OBS port in Node: the shared ObsClient (deadlines, pending calls rejected on close) over
 * obs-websocket-js's JSON build, its events fed to the runner. Reconnecting is the supervisor's decision
 * (its backoff, its close classes); this port only connects when asked.
 */
import OBSWebSocket from 'obs-websocket-js/json';
import { ObsClient } from '../../shared/obs-client.js';
import type { ObsPort, SupervisorRunner } from '../../shared/supervisor/index.js';

export interface NodeObs {
  client: ObsClient;
  port: ObsPort;
  /** forward the client's events into the runner; returns the unsubscribe */
  bind(runner: Pick<SupervisorRunner, 'dispatch'>): () => void;
  close(): Promise<void>;
}

export function nodeObs(url: string, password: string | undefined, warn: (m: string) => void): NodeObs {
  const client = new ObsClient({ createSocket: () => new OBSWebSocket(), callTimeoutMs: 5_000, connectTimeoutMs: 5_000, warn });
  return {
    client,
    port: {
      call: (requestType, data) => client.call(requestType as 'GetStreamStatus', data as undefined),
      // failures arrive as the client's `closed` event, which the runner also receives
      reconnect: () => client.connect(url, password).then(() => undefined),
    },
    bind(runner) {
      const offs = [
        client.on('connected', () => runner.dispatch({ type: 'obs-connected' })),
        client.on('closed', (e) => runner.dispatch({ type: 'obs-disconnected', code: e.code, reason: e.reason, closeClass: e.classification })),
        client.on('StreamStateChanged', (e) => runner.dispatch({ type: 'obs-stream-state', outputState: e.outputState, outputActive: e.outputActive })),
        client.on('ExitStarted', () => runner.dispatch({ type: 'obs-exit-started' })),
      ];
      return () => offs.forEach((off) => off());
    },
    close: () => client.disconnect(),
  };
}
