/**
 * Metric sources for `run`: the cloud port counted by outcome, and OBS's output figures read through the
 * supervisor's own obs-websocket client (GetStreamStatus and GetStats per scrape, each with a short deadline).
 */
import type { ApiPort } from '../../shared/supervisor/index.js';
import type { ObsClient } from '../../shared/obs-client.js';
import type { Metrics, ObsOutputFigures } from './registry.js';

function codeOf(e: unknown): string {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' && c ? c : e instanceof Error && e.name === 'TimeoutError' ? 'Timeout' : 'error';
}

async function counted<T>(metrics: Metrics, action: string, call: () => Promise<T>): Promise<T> {
  try {
    const v = await call();
    metrics.countApi(action, 'ok');
    return v;
  } catch (e) {
    metrics.countApi(action, codeOf(e));
    throw e;
  }
}

export function countingApi(port: ApiPort, metrics: Metrics): ApiPort {
  return {
    mint: (c) => counted(metrics, 'CreateRoomRealTimeStreamAddress', () => port.mint(c)),
    participants: (c) => counted(metrics, 'DescribeChannelParticipants', () => port.participants(c)),
  };
}

export function obsOutputFrom(client: ObsClient, connected: () => boolean): () => Promise<ObsOutputFigures | null> {
  return async () => {
    if (!connected()) return null;
    const s = await client.call('GetStreamStatus', undefined, 2_000).catch(() => null);
    if (!s) return null;
    // frames the encoder skipped are in GetStats (as the dock shows them); optional, the stream status matters
    const g = await client.call('GetStats', undefined, 2_000).catch(() => null);
    return {
      active: s.outputActive,
      bytes: s.outputBytes,
      droppedFrames: s.outputSkippedFrames,
      totalFrames: s.outputTotalFrames,
      congestion: s.outputCongestion,
      ...(g ? { skippedFrames: g.outputSkippedFrames } : {}),
    };
  };
}
