/**
 * Splits an ingest URL into OBS's two fields. OBS writes the Server field into its log but never the
 * Stream Key, so the auth token (`?auth_key=...`) must end up in the key: split at the last `/` before `?`.
 *   rtmp://host/app/stream?auth_key=... -> { server: 'rtmp://host/app', streamKey: 'stream?auth_key=...' }
 */
export interface RtmpSplit {
  server: string;
  streamKey: string;
}

export class RtmpAddressError extends Error {
  override name = 'RtmpAddressError';
}

export function splitRtmpAddress(rtmpAddress: string): RtmpSplit {
  if (typeof rtmpAddress !== 'string' || rtmpAddress.trim() !== rtmpAddress || /\s/.test(rtmpAddress)) {
    throw new RtmpAddressError('RtmpAddress must be a URL without spaces');
  }
  const m = /^(rtmps?):\/\/([^/?#]+)\/([^?#]*)(\?[^#]*)?$/i.exec(rtmpAddress);
  if (!m) throw new RtmpAddressError('RtmpAddress must be an rtmp:// or rtmps:// URL with an app and a stream');
  const [, scheme, host, path = '', query = ''] = m;
  if (!host || /@/.test(host)) throw new RtmpAddressError('RtmpAddress has no valid host');
  const cut = path.lastIndexOf('/');
  const app = cut > 0 ? path.slice(0, cut) : '';
  const stream = path.slice(cut + 1);
  if (!app || app.split('/').some((s) => s === '')) throw new RtmpAddressError('RtmpAddress has no app name');
  if (!stream) throw new RtmpAddressError('RtmpAddress has no stream name');
  return { server: `${scheme!.toLowerCase()}://${host}/${app}`, streamKey: `${stream}${query}` };
}

/** The stream key with its token hidden, for display and logs: `abc…?auth_key=••••`. */
export function maskStreamKey(streamKey: string): string {
  const q = streamKey.indexOf('?');
  const stream = q < 0 ? streamKey : streamKey.slice(0, q);
  const head = stream.length > 8 ? `${stream.slice(0, 6)}…` : stream;
  return q < 0 ? head : `${head}?auth_key=••••`;
}
