/**
 * The `artc_ingest_*` metrics on a prom-client Registry of our own (not the global one, so tests and two
 * listeners never share state). Values are pulled from a source at scrape time (`render()`), so nothing runs
 * between scrapes; counters that the action log keeps as totals (recoveries, time off air) are advanced by
 * their delta, which keeps them monotonic as Prometheus expects. OBS's output gauges read 0 while OBS is
 * unreachable (prom-client always exposes an unlabelled gauge).
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { DetectionReason, Snapshot, StateKind } from '../../shared/supervisor/index.js';

/** OBS's output figures (GetStreamStatus), as the dock shows them. */
export interface ObsOutputFigures {
  active: boolean;
  bytes: number;
  /** network-dropped frames (obs-websocket's outputSkippedFrames) */
  droppedFrames: number;
  totalFrames: number;
  /** frames the encoder skipped (GetStats outputSkippedFrames), when known */
  skippedFrames?: number;
  /** 0..1 */
  congestion: number;
}

export interface MetricsSource {
  /** the supervisor's view; null when this process runs no supervisor (or it has not started) */
  snapshot(): Snapshot | null;
  channel(): { appId: string; channelId: string; userId: string } | null;
  /** OBS's output figures, or null when OBS is not reachable (then those gauges are left out) */
  obsOutput?(): Promise<ObsOutputFigures | null>;
}

// Record<…, true> so a new state or reason in shared/supervisor fails the type check here until it is listed
const STATES_SET: Record<StateKind, true> = {
  idle: true,
  connecting: true,
  minting: true,
  configuring: true,
  starting: true,
  confirming: true,
  live: true,
  recovering: true,
  stopping: true,
  'stopped-by-user': true,
  failed: true,
};
const REASONS_SET: Record<DetectionReason, true> = {
  'obs-stopped': true,
  'obs-reconnecting': true,
  'publisher-absent': true,
  'obs-reconnected-not-streaming': true,
  'resume-not-streaming': true,
};
export const STATES = Object.keys(STATES_SET) as StateKind[];
export const REASONS = Object.keys(REASONS_SET) as DetectionReason[];

/** A label value from the cloud's error Code: bounded charset and length, so a label can never explode. */
export function outcomeLabel(code: string | undefined): string {
  if (!code) return 'error';
  return code.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'error';
}

export interface Metrics {
  contentType: string;
  /** one cloud API call's outcome: `ok` or the error Code */
  countApi(action: string, outcome: string): void;
  render(): Promise<string>;
}

function gauges(r: Registry) {
  const g = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [r] });
  return {
    info: g('artc_ingest_info', 'artc-ingest version and the channel it publishes to (always 1)', [
      'version',
      'app_id',
      'channel_id',
      'user_id',
    ]),
    state: g('artc_ingest_supervisor_state', 'Supervisor state: 1 for the current state, 0 for every other', ['state']),
    supervising: g('artc_ingest_supervising', '1 while supervision is on (Go live pressed, not stopped or failed)'),
    live: g('artc_ingest_live', '1 while live (the publisher confirmed in the channel), else 0'),
    present: g('artc_ingest_publisher_present', '1 when the latest participants answer listed the publisher, else 0'),
    obsConnected: g('artc_ingest_obs_connected', '1 while obs-websocket is connected, else 0'),
    storming: g('artc_ingest_recovery_storm', '1 while the recovery storm guard slows recoveries down'),
    urlExpiry: g('artc_ingest_url_expiry_timestamp_seconds', 'Expiry of the ingest URL in use, Unix seconds (0: none)'),
    obsActive: g('artc_ingest_obs_output_active', "1 while OBS's stream output is active"),
    obsBytes: g('artc_ingest_obs_output_bytes', "Bytes OBS's stream output has sent since it started"),
    obsDropped: g(
      'artc_ingest_obs_output_dropped_frames',
      "Frames OBS's stream output dropped (network) since it started",
    ),
    obsSkipped: g('artc_ingest_obs_output_skipped_frames', "Frames OBS's encoder skipped (GetStats) since OBS started"),
    obsFrames: g('artc_ingest_obs_output_frames', "Frames OBS's stream output sent since it started"),
    obsCongestion: g('artc_ingest_obs_output_congestion_ratio', "OBS's stream output congestion, 0 to 1"),
  };
}

/** Families a source cannot know (serve: the supervisor runs in the dock): not registered, so not exposed at all. */
export type Unknowable = 'state' | 'obs' | 'url' | 'storm' | 'recoveries';
const FAMILIES: Record<Unknowable, string[]> = {
  state: ['artc_ingest_supervisor_state'],
  obs: [
    'artc_ingest_obs_connected',
    'artc_ingest_obs_output_active',
    'artc_ingest_obs_output_bytes',
    'artc_ingest_obs_output_dropped_frames',
    'artc_ingest_obs_output_skipped_frames',
    'artc_ingest_obs_output_frames',
    'artc_ingest_obs_output_congestion_ratio',
  ],
  url: ['artc_ingest_url_expiry_timestamp_seconds'],
  storm: ['artc_ingest_recovery_storm'],
  recoveries: ['artc_ingest_recoveries_total'],
};

type Gauges = ReturnType<typeof gauges>;
interface Counters {
  recoveries: Counter<'reason'>;
  offAir: Counter;
  /** the log's totals already turned into increments */
  seen: { recoveries: Partial<Record<DetectionReason, number>>; offAirMs: number };
}

function fromSnapshot(m: Gauges, c: Counters, s: Snapshot | null): void {
  for (const state of STATES) m.state.set({ state }, s?.kind === state ? 1 : 0);
  m.supervising.set(s?.locked ? 1 : 0);
  m.live.set(s?.kind === 'live' ? 1 : 0);
  m.present.set(s?.presence.status === 'present' ? 1 : 0);
  m.obsConnected.set(s?.obs.connected ? 1 : 0);
  m.storming.set(s?.storming ? 1 : 0);
  m.urlExpiry.set(s?.urlExpiresAt ? Math.round(s.urlExpiresAt / 1000) : 0);
  if (!s) return;
  for (const reason of REASONS) {
    const n = s.counters.recoveriesByReason[reason] ?? 0;
    const delta = n - (c.seen.recoveries[reason] ?? 0);
    if (delta > 0) c.recoveries.inc({ reason }, delta);
    c.seen.recoveries[reason] = Math.max(n, c.seen.recoveries[reason] ?? 0);
  }
  const delta = s.counters.offAirMs - c.seen.offAirMs;
  if (delta > 0) {
    c.offAir.inc(delta / 1000);
    c.seen.offAirMs = s.counters.offAirMs;
  }
}

async function fromObs(m: Gauges, source: MetricsSource): Promise<void> {
  const f = source.obsOutput ? await source.obsOutput().catch(() => null) : null;
  if (!f)
    return [m.obsActive, m.obsBytes, m.obsDropped, m.obsSkipped, m.obsFrames, m.obsCongestion].forEach((g) =>
      g.reset(),
    );
  if (f.skippedFrames === undefined) m.obsSkipped.reset();
  else m.obsSkipped.set(f.skippedFrames);
  m.obsActive.set(f.active ? 1 : 0);
  m.obsBytes.set(f.bytes);
  m.obsDropped.set(f.droppedFrames);
  m.obsFrames.set(f.totalFrames);
  m.obsCongestion.set(f.congestion);
}

export function createMetrics(o: {
  version: string;
  source: MetricsSource;
  defaultMetrics?: boolean;
  omit?: Unknowable[];
}): Metrics {
  const registry = new Registry();
  if (o.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const m = gauges(registry);
  const c: Counters = {
    recoveries: new Counter({
      name: 'artc_ingest_recoveries_total',
      help: 'Recoveries started, by what was detected',
      labelNames: ['reason'],
      registers: [registry],
    }),
    offAir: new Counter({
      name: 'artc_ingest_off_air_seconds_total',
      help: 'Time spent off air while supervising, seconds',
      registers: [registry],
    }),
    seen: { recoveries: {}, offAirMs: 0 },
  };
  const api = new Counter({
    name: 'artc_ingest_api_requests_total',
    help: 'Cloud API requests, by action and outcome (ok or the error Code)',
    labelNames: ['action', 'outcome'],
    registers: [registry],
  });
  // every reason from 0, so rate() and increase() work from the first scrape
  for (const reason of REASONS) c.recoveries.inc({ reason }, 0);
  for (const name of (o.omit ?? []).flatMap((u) => FAMILIES[u])) registry.removeSingleMetric(name);
  return {
    contentType: registry.contentType,
    countApi: (action, outcome) => api.inc({ action, outcome: outcomeLabel(outcome) }),
    async render() {
      const ch = o.source.channel();
      m.info.reset();
      m.info.set(
        { version: o.version, app_id: ch?.appId ?? '', channel_id: ch?.channelId ?? '', user_id: ch?.userId ?? '' },
        1,
      );
      fromSnapshot(m, c, o.source.snapshot());
      await fromObs(m, o.source);
      return registry.metrics();
    },
  };
}
