/**
 * The obs-websocket URL: one default and one check for the dock, `run` and the helper. obs-websocket 5 listens
 * on ws:// (wss:// only behind a TLS proxy), port 4455 by default (obs.md); a path is allowed for such proxies.
 */
export const DEFAULT_OBS_PORT = 4455;
export const DEFAULT_OBS_URL = `ws://127.0.0.1:${DEFAULT_OBS_PORT}`;

const OBS_URL = /^wss?:\/\/[^\s/?#]+(\/\S*)?$/i;

/** The URL as typed, trimmed, when it is a ws:// or wss:// URL with a host; else undefined. */
export function parseObsUrl(raw: string): string | undefined {
  const url = raw.trim();
  if (!OBS_URL.test(url)) return undefined;
  try {
    return new URL(url).host ? url : undefined;
  } catch {
    return undefined;
  }
}
