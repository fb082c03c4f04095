/**
 * Polls GetStreamStatus (+ GetStats while the output is active) for the status panel: every 2 s while live,
 * every 5 s otherwise (to notice a stream started from OBS's own button). A setTimeout chain, so a slow OBS
 * never gets overlapping polls; each call has its own deadline. Bitrate = delta outputBytes / delta time.
 */
import type { ObsClient } from '../../../shared/obs-client.js';
import type { StreamStats } from './state.js';

export const LIVE_POLL_MS = 2_000;
export const IDLE_POLL_MS = 5_000;
const CALL_DEADLINE_MS = 1_500;

export interface StatsPollerDeps {
  client: Pick<ObsClient, 'call'>;
  now: () => number;
  onStats: (stats: StreamStats) => void;
}

export interface StatsPoller {
  start(): void;
  stop(): void;
  /** poll now (e.g. after STARTED), then continue the chain */
  kick(): void;
}

export function createStatsPoller(deps: StatsPollerDeps): StatsPoller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let inFlight = false;
  let last: { bytes: number; at: number } | undefined;

  const schedule = (ms: number) => {
    if (!running) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(tick, ms);
  };

  async function tick(): Promise<void> {
    timer = undefined;
    if (!running || inFlight) return;
    inFlight = true;
    let next = IDLE_POLL_MS;
    try {
      const read = await readStats(deps, last);
      last = read.last;
      if (read.stats.active) next = LIVE_POLL_MS;
      if (running) deps.onStats(read.stats);
    } catch {
      // not connected, timed out or closed: keep the chain going; the OBS link reconnects on its own
      last = undefined;
    } finally {
      inFlight = false;
    }
    schedule(next);
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    stop() {
      running = false;
      last = undefined;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    kick() {
      if (running && !inFlight) schedule(0);
    },
  };
}

type Sample = { bytes: number; at: number } | undefined;

/** One poll: GetStreamStatus, and while live GetStats; the bitrate is the byte delta since the last sample. */
async function readStats(deps: StatsPollerDeps, last: Sample): Promise<{ stats: StreamStats; last: Sample }> {
  const s = await deps.client.call('GetStreamStatus', undefined, CALL_DEADLINE_MS);
  const at = deps.now();
  if (!s.outputActive) return { stats: { active: false }, last: undefined };
  const stats: StreamStats = {
    active: true,
    reconnecting: s.outputReconnecting,
    durationMs: s.outputDuration,
    congestion: s.outputCongestion,
    droppedFrames: s.outputSkippedFrames,
    totalFrames: s.outputTotalFrames,
  };
  if (last && at > last.at && s.outputBytes >= last.bytes) {
    stats.bitrateKbps = Math.round(((s.outputBytes - last.bytes) * 8) / (at - last.at));
  }
  try {
    const g = await deps.client.call('GetStats', undefined, CALL_DEADLINE_MS);
    stats.skippedFrames = g.outputSkippedFrames;
    stats.fps = g.activeFps;
    stats.cpuUsage = g.cpuUsage;
  } catch {
    /* stats are optional; the stream status is what matters */
  }
  return { stats, last: { bytes: s.outputBytes, at } };
}
