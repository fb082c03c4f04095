/**
 * `run`'s monitoring: everything comes from its own runner. The cloud port is wrapped to count outcomes before the
 * supervisor exists; the metrics (prom-client, only with --metrics-listen: script/metrics/load.ts) and the
 * listener come with `start()`, before supervision; the supervisor is attached once it runs.
 */
import type { ChannelSettings } from '../../shared/channel.js';
import type { MonitoringFlags } from '../alerts/flags.js';
import type { Supervision } from '../run/supervise.js';
import type { ApiPort, Snapshot } from '../../shared/supervisor/index.js';
import { VERSION } from '../version.js';
import { startMonitoring, type Monitoring } from './monitoring.js';
import { metricsIf, NO_METRICS } from './load.js';
import type { Metrics } from './registry.js';
import { countingApi, obsOutputFrom } from './sources.js';

export interface RunMonitoringOptions {
  flags: MonitoringFlags;
  channel: ChannelSettings;
  say: (line: string) => void;
  /** never in an alert: the OBS password, the sandbox's secrets, the signing secret */
  secrets: () => Array<string | undefined>;
}

export interface RunMonitoring {
  wrapApi: (port: ApiPort) => ApiPort;
  /** binds the listener before supervision starts, so a busy port fails before OBS is touched */
  start(): Promise<Monitoring>;
  /** from now on the metrics, /healthz and alerts follow this supervisor */
  attach(sup: Supervision): void;
}

export function runMonitoring(o: RunMonitoringOptions): RunMonitoring {
  let sup: Supervision | undefined;
  const relay = new Set<(s: Snapshot) => void>();
  const snapshot = () => sup?.runner.snapshot() ?? null;
  const obsOutput = () =>
    sup ? obsOutputFrom(sup.obs, () => sup!.runner.snapshot().obs.connected)() : Promise.resolve(null);
  let metrics: Metrics = NO_METRICS;
  // the port is wrapped before start(): it counts into whichever metrics are there at the call
  const current: Metrics = {
    contentType: NO_METRICS.contentType,
    countApi: (action, outcome) => metrics.countApi(action, outcome),
    render: () => metrics.render(),
  };
  return {
    wrapApi: (port) => countingApi(port, current),
    start: async () => {
      const source = { snapshot, channel: () => o.channel, obsOutput };
      metrics = await metricsIf(o.flags.listen !== undefined, { version: VERSION, source });
      return startMonitoring({
        flags: o.flags,
        metrics,
        say: o.say,
        view: {
          snapshot,
          subscribe: (fn) => (relay.add(fn), () => relay.delete(fn)),
          // alert failures go into the action log, so `run --json` prints them like any other entry
          appendLog: (level, reason, message) =>
            sup?.runner.log.append({ at: Date.now(), level, reason, message, state: sup.runner.snapshot().kind }),
          secrets: () => [...o.secrets(), ...o.flags.targets.map((t) => t.secret)],
        },
      });
    },
    attach(s) {
      sup = s;
      s.runner.subscribe((snap) => relay.forEach((fn) => fn(snap)));
    },
  };
}
