/**
 * DNS-rebinding defence: a page on evil.com can point evil.com at 127.0.0.1 and then call us "same-origin";
 * its requests still carry `Host: evil.com:<port>`. Only the loopback names we listen under are accepted,
 * with our exact port. Literal IPs cannot be rebound, `localhost` is resolved by the OS, never by DNS.
 */
import { HttpError } from './http-error.js';

export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** `127.0.0.1:4466`, `localhost:4466`, `[::1]:4466` */
export function allowedHosts(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `${name}:${port}`);
}

export function checkHost(req: Request, port: number): void {
  const host = req.headers.get('host');
  if (!host) throw HttpError.forbidden('HostRequired', 'The Host header is required');
  if (!allowedHosts(port).includes(host.toLowerCase())) {
    // the received value is not echoed: it is attacker-chosen text
    throw HttpError.forbidden('HostNotAllowed', `Host must be 127.0.0.1:${port} or localhost:${port}`);
  }
}
