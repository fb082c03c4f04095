/**
 * The bench's stage: an in-process sandbox cloud, one real OBS (headless, via the test rig), an independent
 * obs-websocket observer that timestamps every StreamStateChanged, and the supervisor as `run` builds it
 * (script/run/supervise.ts) on demand. Every timestamp is Date.now() in this process, so they compare directly.
 *
 * "Back in the channel" is the sandbox's `publish-accepted` event for the user: the instant the emulator lists
 * the publisher again (DescribeChannelParticipants would say so from then on), with no polling delay added.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JsonOBSWebSocket from 'obs-websocket-js/json';
import { LiveApiClient } from '../../../script/cloud/api-client.js';
import { supervise, type Supervision } from '../../../script/run/supervise.js';
import { startSandbox, type SandboxEvent, type SandboxHandle } from '../../../script/sandbox/index.js';
import type { ChannelSettings } from '../../../shared/api-routes.js';
import {
  classifyRequestError,
  ObsClient,
  type ObsOutputState,
  type StreamStateChanged,
} from '../../../shared/obs-client.js';
import type { Config, LogEntry, Snapshot } from '../../../shared/supervisor/index.js';
import { startObs, type ObsHandle, type StartObsOptions } from '../../helpers/obs-rig.js';
import { EventLog, waitFor } from '../../helpers/wait-for.js';

export const S = {
  STARTING: 'OBS_WEBSOCKET_OUTPUT_STARTING',
  STARTED: 'OBS_WEBSOCKET_OUTPUT_STARTED',
  STOPPING: 'OBS_WEBSOCKET_OUTPUT_STOPPING',
  STOPPED: 'OBS_WEBSOCKET_OUTPUT_STOPPED',
  RECONNECTING: 'OBS_WEBSOCKET_OUTPUT_RECONNECTING',
  RECONNECTED: 'OBS_WEBSOCKET_OUTPUT_RECONNECTED',
} as const satisfies Record<string, ObsOutputState>;

export const BENCH_STORM_THRESHOLD = 100_000;

export const short = (s: string) => s.replace(/^OBS_WEBSOCKET_OUTPUT_/, '');

/** OBS's own auto-reconnect as shipped (obs.md): on, first retry after 2 s, 25 tries. */
export const OBS_DEFAULT_RECONNECT = { enabled: true, retryDelaySec: 2, maxRetries: 25 };

export interface Sup {
  sup: Supervision;
  entries: EventLog<LogEntry>;
  snapshot(): Snapshot;
  /** resolves with the first entry after the cursor that matches */
  next(pred: (e: LogEntry) => boolean, what: string, timeoutMs?: number): Promise<{ event: LogEntry; at: number }>;
  stop(stopStream?: boolean): Promise<void>;
}

export class BenchRig {
  readonly obsEvents = new EventLog<StreamStateChanged>();
  readonly sbEvents = new EventLog<SandboxEvent>();
  /** Date.now() of every API request the sandbox answered (any caller), with its action */
  readonly apiCalls: Array<{ at: number; action: string; code: string }> = [];
  readonly sbLog: string[] = [];
  readonly warnings: string[] = [];
  private home = mkdtempSync(join(tmpdir(), 'artc-bench-'));
  sb!: SandboxHandle;
  obs!: ObsHandle;
  observer!: ObsClient;
  api!: LiveApiClient;

  async start(obsOpts: StartObsOptions = {}): Promise<this> {
    [this.sb, this.obs] = await Promise.all([
      startSandbox({
        apiPort: 0,
        rtmpPort: 0,
        log: (l) => this.sbLog.push(`${new Date().toISOString()} ${l}`),
        onEvent: (e) => {
          if (e.type === 'api') this.apiCalls.push({ at: Date.now(), action: e.action, code: e.code });
          this.sbEvents.push(e);
        },
      }),
      startObs(obsOpts),
    ]);
    this.api = new LiveApiClient({ endpoint: this.sb.endpoint, credentials: this.sb.credentials, timeoutMs: 5_000 });
    this.observer = new ObsClient({
      createSocket: () => new JsonOBSWebSocket(),
      callTimeoutMs: 5_000,
      connectTimeoutMs: 10_000,
      warn: (m) => this.warnings.push(m),
    });
    this.observer.on('StreamStateChanged', (e) => this.obsEvents.push(e));
    await this.observer.connect(this.obs.url, this.obs.password);
    return this;
  }

  get configDir(): string {
    return join(this.home, 'config');
  }

  /** OBS's auto-reconnect for the next StartStream (OBS reads the profile at each start), read back. */
  async setObsReconnect(r: { enabled: boolean; retryDelaySec: number; maxRetries: number }): Promise<void> {
    const values = {
      Reconnect: r.enabled ? 'true' : 'false',
      RetryDelay: String(r.retryDelaySec),
      MaxRetries: String(r.maxRetries),
    };
    for (const [parameterName, parameterValue] of Object.entries(values)) {
      await this.observer.call('SetProfileParameter', { parameterCategory: 'Output', parameterName, parameterValue });
      const back = await this.observer.call('GetProfileParameter', { parameterCategory: 'Output', parameterName });
      if (back.parameterValue !== parameterValue)
        throw new Error(`OBS kept Output/${parameterName}=${back.parameterValue}, not ${parameterValue}`);
    }
  }

  /**
   * The supervisor exactly as `run` wires it (real timers, obs-websocket, cloud client over HTTP, lease), with the
   * default config except the storm brake: faults every few seconds are a storm by design (the 6th recovery within
   * 10 min waits 30 s), and the bench measures each recovery on its own.
   */
  supervise(channel: ChannelSettings, config: Partial<Config> = {}): Sup {
    config = { stormThreshold: BENCH_STORM_THRESHOLD, ...config };
    const entries = new EventLog<LogEntry>();
    const sup = supervise({
      channel,
      client: this.api,
      obsUrl: this.obs.url,
      obsPassword: this.obs.password,
      configDir: this.configDir,
      config,
      log: (l) => this.warnings.push(l),
      onEntry: (entry) => entries.push(entry),
    });
    return {
      sup,
      entries,
      snapshot: () => sup.runner.snapshot(),
      next: (pred, what, timeoutMs = 20_000) => entries.next(pred, { what, timeoutMs }),
      stop: (stopStream = true) => sup.stop({ stopStream }),
    };
  }

  /** Next OBS stream state among `states` after the cursor. */
  nextState(states: readonly string[], timeoutMs = 20_000) {
    return this.obsEvents.next((e) => states.includes(e.outputState), {
      what: states.map(short).join(' or '),
      timeoutMs,
    });
  }

  /** The user's publish accepted (listed in the channel) after the cursor. */
  nextAccepted(userId: string, timeoutMs = 20_000) {
    return this.sbEvents.next((e) => e.type === 'publish-accepted' && e.userId === userId, {
      what: `${userId} accepted`,
      timeoutMs,
    });
  }

  listed(appId: string, channelId: string, userId: string): boolean {
    return this.sb
      .stats()
      .publishers.some((p) => p.appId === appId && p.channelId === channelId && p.userId === userId && p.listed);
  }

  creates(): number {
    return this.sb.stats().calls.CreateRoomRealTimeStreamAddress ?? 0;
  }

  /** StopStream unless OBS is already idle, then wait until its output is inactive (not reconnecting either). */
  async stopStream(): Promise<void> {
    const st = await this.observer.call('GetStreamStatus');
    if (st.outputActive || st.outputReconnecting) {
      const err = await this.observer.call('StopStream').then(
        () => undefined,
        (e: unknown) => e,
      );
      if (err !== undefined && classifyRequestError(err).kind !== 'already-so') throw err;
    }
    await this.idle();
  }

  async idle(): Promise<void> {
    await waitFor(
      async () => {
        const s = await this.observer.call('GetStreamStatus');
        return !s.outputActive && !s.outputReconnecting;
      },
      { what: 'OBS output inactive', timeoutMs: 20_000 },
    );
  }

  /** Go live without the supervisor (OBS alone): mint, rtmp_custom, StartStream, STARTED, accepted. */
  async manualGoLive(channel: ChannelSettings): Promise<void> {
    await this.idle();
    const url = await this.api.createRoomRealTimeStreamAddress({
      AppId: channel.appId,
      ChannelId: channel.channelId,
      UserId: channel.userId,
      DisplayName: channel.displayName,
      ...(channel.expireTime ? { ExpireTime: channel.expireTime } : {}),
    });
    await this.observer.call('SetStreamServiceSettings', {
      streamServiceType: 'rtmp_custom',
      streamServiceSettings: { server: url.server, key: url.streamKey, use_auth: false },
    });
    this.obsEvents.mark();
    this.sbEvents.mark();
    await this.observer.call('StartStream');
    const first = await this.nextState([S.STARTED, S.STOPPED]);
    if (first.event.outputState !== S.STARTED) throw new Error('OBS alone: the start failed');
    await this.nextAccepted(channel.userId);
  }

  async stop(): Promise<void> {
    if (this.observer?.state === 'connected') await this.stopStream().catch(() => undefined);
    await this.observer?.disconnect();
    await this.obs?.stop();
    await this.sb?.stop();
    rmSync(this.home, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
