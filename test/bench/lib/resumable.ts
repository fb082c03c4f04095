/**
 * The supervisor as `run` assembles it (script/run/supervise.ts: SupervisorRunner + cloudPort + nodeObs + the
 * helper lease), plus what a helper restart needs: the intent persisted in <configDir>/intent.json through the
 * helper's own JsonStore, and a start that either goes live or resumes from that file. supervise() always goes
 * live (a restarted `run` restarts the stream); the soak's "helper restart" disposes the runner and builds a new
 * one that resumes, as the dock does after a reload or a helper restart: a healthy stream is adopted, not cut.
 */
import { randomBytes } from 'node:crypto';
import type { ChannelSettings } from '../../../shared/api-routes.js';
import { ActionLog, SupervisorRunner, type Config, type LogEntry } from '../../../shared/supervisor/index.js';
import type { LiveApiClient } from '../../../script/cloud/api-client.js';
import { helperLease } from '../../../script/run/lease.js';
import { nodeObs } from '../../../script/run/obs-port.js';
import { cloudPort } from '../../../script/run/supervise.js';
import { intentStore } from '../../../script/server/json-store.js';

export interface Resumable {
  runner: SupervisorRunner;
  stop(opts?: { stopStream?: boolean }): Promise<void>;
}

export interface ResumableOptions {
  client: LiveApiClient;
  obsUrl: string;
  obsPassword: string;
  configDir: string;
  config: Partial<Config>;
  onEntry: (entry: LogEntry) => void;
  log: (line: string) => void;
}

/** `go-live`: Go live on `channel` (the intent is saved); `resume`: read intent.json and resume if it says live. */
export async function startSupervisor(
  o: ResumableOptions,
  how: { goLive: ChannelSettings } | { resume: true },
): Promise<Resumable> {
  const obs = nodeObs(o.obsUrl, o.obsPassword, (m) => o.log(`obs: ${m}`));
  const store = intentStore(o.configDir, o.log);
  const log = new ActionLog({ capacity: 2000 });
  const runner = new SupervisorRunner({
    obs: obs.port,
    api: cloudPort(o.client),
    intent: { save: async (intent) => void (await store.write(intent)) },
    lease: helperLease({
      configDir: o.configDir,
      holder: `soak-${process.pid}-${randomBytes(3).toString('hex')}`,
      obsUrl: o.obsUrl,
      ttlMs: 30_000,
      log: o.log,
    }),
    clock: { now: Date.now },
    random: Math.random,
    timers: {
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    },
    config: o.config,
    log,
  });
  const unbind = obs.bind(runner);
  const unlog = log.subscribe(o.onEntry);
  if ('goLive' in how) runner.goLive(how.goLive);
  else {
    const intent = await store.read();
    if (!intent.shouldBeLive || !intent.channel)
      throw new Error(`intent.json does not say live: ${JSON.stringify(intent)}`);
    runner.resume(intent.channel);
  }
  return {
    runner,
    async stop({ stopStream = false } = {}) {
      if (stopStream && runner.snapshot().kind !== 'stopped-by-user') {
        runner.stop();
        await new Promise<void>((resolve) => {
          const done = (k: string) => k === 'stopped-by-user' || k === 'failed' || k === 'idle';
          if (done(runner.snapshot().kind)) return resolve();
          const timer = setTimeout(finish, 12_000);
          const off = runner.subscribe((s) => done(s.kind) && finish());
          function finish() {
            clearTimeout(timer);
            off();
            resolve();
          }
        });
      }
      unlog();
      unbind();
      runner.dispose();
      await obs.close();
    },
  };
}
