/**
 * `run`'s monitoring: everything comes from its own runner. The metrics exist before the supervisor (the cloud
 * port is wrapped to count outcomes), the listener and alerts attach once the supervisor runs.
 */
import type { ChannelSettings } from '../../shared/api-routes.js';
import type { MonitoringFlags } from '../alerts/flags.js';
import type { Supervision } from '../run/supervise.js';
import type { ApiPort } from '../../shared/supervisor/index.js';
import { VERSION } from '../version.js';
import { startMonitoring, type Monitoring } from './monitoring.js';
import { createMetrics } from './registry.js';
import { countingApi, obsOutputFrom } from './sources.js';

export interface RunMonitoringOptions {
  flags: MonitoringFlags;
  channel: ChannelSettings;
  say: (line: string) => void;
  /** never in an alert: the OBS password, the sandbox's secrets, the signing secret */
  secrets: () => Array<string | undefined>;
}

export function runMonitoring(o: RunMonitoringOptions): { wrapApi: (port: ApiPort) => ApiPort; attach: (sup: Supervision) => Promise<Monitoring> } {
  let sup: Supervision | undefined;
  const obsOutput = () => (sup ? obsOutputFrom(sup.obs, () => sup!.runner.snapshot().obs.connected)() : Promise.resolve(null));
  const metrics = createMetrics({ version: VERSION, source: { snapshot: () => sup?.runner.snapshot() ?? null, channel: () => o.channel, obsOutput } });
  return {
    wrapApi: (port) => countingApi(port, metrics),
    attach(s) {
      sup = s;
      const runner = s.runner;
      return startMonitoring({
        flags: o.flags,
        metrics,
        say: o.say,
        view: {
          snapshot: () => runner.snapshot(),
          subscribe: (fn) => runner.subscribe(fn),
          // alert failures go into the action log, so `run --json` prints them like any other entry
          appendLog: (level, reason, message) => runner.log.append({ at: Date.now(), level, reason, message, state: runner.snapshot().kind }),
          secrets: () => [...o.secrets(), ...o.flags.targets.map((t) => t.secret)],
        },
      });
    },
  };
}
