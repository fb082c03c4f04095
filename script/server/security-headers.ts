/**
 * Headers on every response of the helper. The dock talks to OBS over obs-websocket on loopback, hence the
 * `ws://` sources in `connect-src`; everything else is same-origin. OBS loads a custom browser dock as a
 * top-level page (not in a frame), so refusing to be framed costs nothing and stops clickjacking.
 * `Referrer-Policy: no-referrer` matters: the dock page's own URL carries the helper token.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Preact sets style attributes through CSSOM (not blocked); 'unsafe-inline' covers inline style attributes
  // a component might render as markup
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  // no `ws://[::1]:*`: CSP host-sources have no IPv6 literals; Chromium ignores such a source and logs a console
  // error on every load of the dock ("contains an invalid source")
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};
