/**
 * Wires the monitoring parts to one supervisor view: the /metrics + /healthz listener (when --metrics-listen is
 * given) and the alert monitor + delivery (when a webhook is). Used by `run` (the runner itself) and `serve`
 * (what the helper can see of the dock's supervisor). Real clock, timers and fetch, injectable for tests.
 */
import { realTimers } from '../../shared/obs-binding.js';
import type { Snapshot } from '../../shared/supervisor/index.js';
import { createDelivery, type AlertDelivery } from '../alerts/delivery.js';
import type { MonitoringFlags } from '../alerts/flags.js';
import { describeTarget, type AlertTarget } from '../alerts/formats.js';
import { createMonitor } from '../alerts/monitor.js';
import { startMetricsListener, type MetricsListener } from './listener.js';
import type { Metrics } from './registry.js';

export interface SupervisorView {
  snapshot(): Snapshot | null;
  subscribe(fn: (s: Snapshot) => void): () => void;
  /** into the action log (alert failures) */
  appendLog(level: 'warn' | 'info', reason: string, message: string): void;
  secrets?: () => Array<string | undefined>;
}

export interface MonitoringDeps {
  now?: () => number;
  fetch?: typeof fetch;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
}

export interface Monitoring {
  listener?: MetricsListener;
  delivery?: AlertDelivery;
  stop(): Promise<void>;
}

export interface MonitoringOptions {
  flags: MonitoringFlags;
  metrics: Metrics;
  view: SupervisorView;
  say: (line: string) => void;
  deps?: MonitoringDeps;
  targets?: () => AlertTarget[];
}

/** The /metrics and /healthz listener, when --metrics-listen asks for one. */
async function startListener(o: MonitoringOptions, now: () => number): Promise<MetricsListener | undefined> {
  if (!o.flags.listen) return undefined;
  if (o.flags.listen.warning) o.say(`warning: ${o.flags.listen.warning}`);
  const listener = await startMetricsListener({
    at: o.flags.listen,
    metrics: o.metrics,
    snapshot: () => o.view.snapshot(),
    graceMs: o.flags.graceMs,
    now,
    log: o.say,
  });
  o.say(`metrics on ${listener.url}/metrics, health on ${listener.url}/healthz`);
  return listener;
}

export async function startMonitoring(o: MonitoringOptions): Promise<Monitoring> {
  const d = o.deps ?? {};
  const now = d.now ?? Date.now;
  const setTimer = d.setTimer ?? realTimers.setTimer;
  const clearTimer = d.clearTimer ?? realTimers.clearTimer;
  const listener = await startListener(o, now);
  const targets = o.flags.targets;
  let delivery: AlertDelivery | undefined;
  let unsubscribe = () => {};
  let disposeMonitor = () => {};
  // serve passes `targets` (flags + the dock's stored webhook, which may be set later): always armed then
  if (targets.length || o.targets) {
    delivery = createDelivery(o.targets ?? targets, {
      fetch: d.fetch ?? fetch,
      now,
      random: d.random ?? Math.random,
      setTimer,
      clearTimer,
      log: (level, reason, message) => o.view.appendLog(level, reason, message),
    });
    const send = delivery.send;
    const monitor = createMonitor({
      send,
      now,
      setTimer,
      clearTimer,
      afterMs: o.flags.afterMs,
      ...(o.view.secrets ? { secrets: o.view.secrets } : {}),
    });
    unsubscribe = o.view.subscribe((s) => monitor.observe(s));
    disposeMonitor = () => monitor.dispose();
    const now0 = (o.targets ? o.targets() : targets).map(describeTarget);
    if (now0.length) o.say(`alerts to ${now0.join(', ')} (off-air after ${o.flags.afterMs / 1000} s)`);
  }
  return {
    ...(listener ? { listener } : {}),
    ...(delivery ? { delivery } : {}),
    async stop() {
      unsubscribe();
      disposeMonitor();
      // alerts in flight get a moment (a back-live or failure report), at most 2 s (main.ts cuts a shutdown off at 5 s)
      await delivery?.drain(2_000);
      delivery?.close();
      await listener?.close();
    },
  };
}
