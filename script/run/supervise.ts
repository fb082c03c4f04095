/**
 * The supervisor headless in Node (`run`): the shared SupervisorRunner with real timers, the cloud client as
 * its API port, the shared ObsClient as its OBS port and the helper's lease. Returns a handle to stop it.
 */
import { randomBytes } from 'node:crypto';
import type { ChannelSettings } from '../../shared/channel.js';
import {
  ActionLog,
  makeConfig,
  SupervisorRunner,
  type ApiPort,
  type Config,
  type LogEntry,
  type Snapshot,
} from '../../shared/supervisor/index.js';
import type { LiveApiClient } from '../cloud/api-client.js';
import { realTimers } from '../../shared/obs-binding.js';
import { helperLease } from './lease.js';
import { nodeObs, type NodeObs } from './obs-port.js';

export interface SuperviseOptions {
  channel: ChannelSettings;
  client: LiveApiClient;
  obsUrl: string;
  obsPassword: string | undefined;
  configDir: string;
  config?: Partial<Config>;
  onEntry: (entry: LogEntry, snapshot: Snapshot) => void;
  log: (line: string) => void;
  /** wraps the cloud port (metrics count each call's outcome) */
  wrapApi?: (port: ApiPort) => ApiPort;
}

/** Cloud client -> the supervisor's API port (PascalCase params, errors keep Code/RequestId/kind). */
export function cloudPort(client: LiveApiClient): ApiPort {
  return {
    async mint(c) {
      const u = await client.createRoomRealTimeStreamAddress({
        AppId: c.appId,
        ChannelId: c.channelId,
        UserId: c.userId,
        DisplayName: c.displayName,
        ...(c.expireTime !== undefined ? { ExpireTime: c.expireTime } : {}),
      });
      return { requestId: u.requestId, server: u.server, streamKey: u.streamKey, expiresAt: u.expiresAt };
    },
    async participants(c) {
      const p = await client.describeChannelParticipants({ AppId: c.appId, ChannelId: c.channelId });
      return { requestId: p.requestId, users: p.users };
    },
  };
}

export interface Supervision {
  runner: SupervisorRunner;
  /** the obs-websocket client the supervisor uses (metrics read OBS's output figures through it) */
  obs: NodeObs['client'];
  /** ends supervision; with `stopStream`, also stops OBS's stream and waits for it */
  stop(opts?: { stopStream?: boolean }): Promise<void>;
}

export function supervise(o: SuperviseOptions): Supervision {
  const obs = nodeObs(o.obsUrl, o.obsPassword, (m) => o.log(`obs: ${m}`));
  const holder = `run-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = new ActionLog({ capacity: 2000 });
  const runner = new SupervisorRunner({
    obs: obs.port,
    api: o.wrapApi ? o.wrapApi(cloudPort(o.client)) : cloudPort(o.client),
    lease: helperLease({ configDir: o.configDir, holder, obsUrl: o.obsUrl, ttlMs: 30_000, log: o.log }),
    clock: { now: Date.now },
    random: Math.random,
    timers: realTimers,
    config: makeConfig(o.config), // throws SupervisorConfigError on a value out of range, before anything starts
    log,
  });
  const unbind = obs.bind(runner);
  const unlog = log.subscribe((entry) => o.onEntry(entry, runner.snapshot()));
  runner.goLive(o.channel);
  return {
    runner,
    obs: obs.client,
    async stop({ stopStream = false } = {}) {
      if (stopStream) {
        runner.stop();
        await waitUntil(
          runner,
          (s) => s.kind === 'stopped-by-user' || s.kind === 'failed' || s.kind === 'idle',
          12_000,
        );
      }
      unlog();
      unbind();
      runner.dispose();
      await obs.close();
    },
  };
}

function waitUntil(runner: SupervisorRunner, done: (s: Snapshot) => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (done(runner.snapshot())) return resolve();
    const timer = setTimeout(finish, timeoutMs);
    const unsubscribe = runner.subscribe((s) => done(s) && finish());
    function finish() {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}
