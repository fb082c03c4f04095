/**
 * The supervisor's OBS port in Node: the shared ObsClient (deadlines, pending calls rejected on close) over
 * obs-websocket-js's JSON build, bound to the runner by shared/obs-binding.ts (the dock uses the same binding).
 * Reconnecting is the supervisor's decision (its backoff, its close classes); this port only connects when asked.
 */
import OBSWebSocket from 'obs-websocket-js/json';
import { ObsClient } from '../../shared/obs-client.js';
import { bindObsEvents, obsPort } from '../../shared/obs-binding.js';
import type { ObsPort, SupervisorRunner } from '../../shared/supervisor/index.js';

export interface NodeObs {
  client: ObsClient;
  port: ObsPort;
  /** forward the client's events into the runner; returns the unsubscribe */
  bind(runner: Pick<SupervisorRunner, 'dispatch'>): () => void;
  close(): Promise<void>;
}

export function nodeObs(url: string, password: string | undefined, warn: (m: string) => void): NodeObs {
  const client = new ObsClient({
    createSocket: () => new OBSWebSocket(),
    callTimeoutMs: 5_000,
    connectTimeoutMs: 5_000,
    warn,
  });
  return {
    client,
    port: obsPort(client, () => client.connect(url, password)),
    bind: (runner) => bindObsEvents(client, runner),
    close: () => client.disconnect(),
  };
}
