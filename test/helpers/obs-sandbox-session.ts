/**
 * Pieces of obs-sandbox.test.ts that need no OBS of their own: the output-state names, the reconnect settings,
 * OBS stream control over a connected ObsClient (reconnect settings read back, start, stop, next state), and the
 * sandbox side (mint a URL, presence, accepted publishes).
 */
import { expect } from 'vitest';
import { LiveApiClient, type IngestUrl } from '../../script/cloud/api-client.js';
import { type SandboxEvent } from '../../script/sandbox/index.js';
import {
  classifyRequestError,
  ObsClient,
  type ObsOutputState,
  type StreamStateChanged,
} from '../../shared/obs-client.js';
import type { ObsReconnectSettings } from './obs-home.js';
import { EventLog, waitFor } from './wait-for.js';

export const APP = 'obsSandboxApp';
export const STARTING: ObsOutputState = 'OBS_WEBSOCKET_OUTPUT_STARTING';
export const STARTED: ObsOutputState = 'OBS_WEBSOCKET_OUTPUT_STARTED';
export const STOPPED: ObsOutputState = 'OBS_WEBSOCKET_OUTPUT_STOPPED';
export const RECONNECTING: ObsOutputState = 'OBS_WEBSOCKET_OUTPUT_RECONNECTING';
export const RECONNECTED: ObsOutputState = 'OBS_WEBSOCKET_OUTPUT_RECONNECTED';
/** OBS's own retries in the scenarios that want them: first retry after 1 s */
export const RECONNECT_ON: ObsReconnectSettings = { enabled: true, retryDelaySec: 1, maxRetries: 5 };
export const RECONNECT_OFF: ObsReconnectSettings = { enabled: false, retryDelaySec: 1, maxRetries: 5 };

export const say = (line: string) => console.log(`[obs-sandbox] ${line}`);
export const short = (s: string) => s.replace(/^OBS_WEBSOCKET_OUTPUT_/, '');

/** Stream control on a connected ObsClient whose StreamStateChanged events go to `obsEvents`. */
export function obsStreamControl(obsClient: ObsClient, obsEvents: EventLog<StreamStateChanged>) {
  const nextState = (states: ObsOutputState[], timeoutMs = 15_000) =>
    obsEvents.next((e) => states.includes(e.outputState), { what: states.map(short).join(' or '), timeoutMs });

  async function setReconnect(r: ObsReconnectSettings): Promise<void> {
    const values = {
      Reconnect: r.enabled ? 'true' : 'false',
      RetryDelay: String(r.retryDelaySec),
      MaxRetries: String(r.maxRetries),
    };
    for (const [parameterName, parameterValue] of Object.entries(values)) {
      await obsClient.call('SetProfileParameter', { parameterCategory: 'Output', parameterName, parameterValue });
      const back = await obsClient.call('GetProfileParameter', { parameterCategory: 'Output', parameterName });
      expect(back.parameterValue, `Output/${parameterName}`).toBe(parameterValue);
    }
  }

  /** rtmp_custom {server, key}, then StartStream; returns when StartStream answered (the outcome comes as events). */
  async function startStream(server: string, key: string): Promise<number> {
    // OBS refuses new settings while its output is still active (also for a moment after a STOPPED event)
    await waitFor(
      async () => {
        const st = await obsClient.call('GetStreamStatus');
        return !st.outputActive && !st.outputReconnecting;
      },
      { what: 'OBS output inactive before a new start', timeoutMs: 5_000 },
    );
    await obsClient.call('SetStreamServiceSettings', {
      streamServiceType: 'rtmp_custom',
      streamServiceSettings: { server, key },
    });
    obsEvents.mark();
    const t0 = Date.now();
    await obsClient.call('StartStream');
    return t0;
  }

  /** StopStream unless already stopped, then wait until OBS says the output is inactive. */
  async function stopStream(): Promise<void> {
    const status = await obsClient.call('GetStreamStatus');
    if (!status.outputActive && !status.outputReconnecting) return;
    const err = await obsClient.call('StopStream').then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err !== undefined && classifyRequestError(err).kind !== 'already-so') throw err;
    await waitFor(async () => !(await obsClient.call('GetStreamStatus')).outputActive, {
      what: 'OBS output inactive',
      timeoutMs: 15_000,
    });
  }

  return { nextState, setReconnect, startStream, stopStream };
}

/** The sandbox side of a scenario; `api` is read at each call (the test makes it in beforeAll). */
export function sandboxChannels(api: () => LiveApiClient, sbEvents: SandboxEvent[]) {
  const channel = (ChannelId: string) => ({ AppId: APP, ChannelId });
  const users = async (ChannelId: string) => (await api().describeChannelParticipants(channel(ChannelId))).users;
  const waitPresent = (ChannelId: string, user: string, timeoutMs = 10_000) =>
    waitFor(async () => (await users(ChannelId)).includes(user), { what: `${user} in ${ChannelId}`, timeoutMs });
  const waitAbsent = (ChannelId: string, user: string, timeoutMs = 10_000) =>
    waitFor(async () => !(await users(ChannelId)).includes(user), {
      what: `${user} gone from ${ChannelId}`,
      timeoutMs,
    });

  async function mint(ChannelId: string, UserId: string, ExpireTime?: number): Promise<IngestUrl> {
    return api().createRoomRealTimeStreamAddress({
      ...channel(ChannelId),
      UserId,
      DisplayName: `OBS ${UserId}`,
      ...(ExpireTime ? { ExpireTime } : {}),
    });
  }

  const acceptedFor = (streamName: string) =>
    sbEvents.filter((e) => e.type === 'publish-accepted' && e.streamName === streamName);
  const streamNameOf = (url: IngestUrl) => url.streamKey.split('?')[0]!;

  return { users, waitPresent, waitAbsent, mint, acceptedFor, streamNameOf };
}
