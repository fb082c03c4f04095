/**
 * Cross-origin defence. The dock is served by this very server, so every legitimate browser request is
 * same-origin: an `Origin` header, when present, must be exactly our origin, and Fetch Metadata
 * (`Sec-Fetch-Site`, Chromium 76+, so OBS's CEF 103 sends it) must not say cross-site. The API goes further
 * and refuses `same-site` too (another port on localhost is same-site but not us). No CORS headers are ever
 * sent, so a preflight can never succeed; OPTIONS is refused outright.
 */
import { LOOPBACK_NAMES } from './host-check.js';
import { HttpError } from './http-error.js';

export function allowedOrigins(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `http://${name}:${port}`);
}

export function checkOrigin(req: Request, port: number, opts: { api: boolean }): void {
  const origin = req.headers.get('origin');
  // `Origin: null` (sandboxed frames, file://, redirects) is never ours either
  if (origin !== null && !allowedOrigins(port).includes(origin.toLowerCase())) {
    throw HttpError.forbidden('CrossOriginNotAllowed', 'Cross-origin requests are not allowed');
  }
  const site = req.headers.get('sec-fetch-site');
  if (site === 'cross-site' || (opts.api && site === 'same-site')) {
    throw HttpError.forbidden('CrossOriginNotAllowed', 'Cross-site requests are not allowed');
  }
  if (req.method === 'OPTIONS') {
    // a CORS preflight, or a stray OPTIONS: we never grant cross-origin access
    throw new HttpError({
      status: 405,
      code: 'MethodNotAllowed',
      message: 'OPTIONS is not supported (no cross-origin access)',
      headers: { allow: 'GET, HEAD, POST, PUT' },
    });
  }
}
