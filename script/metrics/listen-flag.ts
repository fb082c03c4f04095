/**
 * `--metrics-listen <host:port>`: where the metrics/health listener binds. A loopback host is taken as is; any
 * other host is taken exactly as typed (never widened to a wildcard) and the caller prints `warning`, because
 * /metrics and /healthz are then reachable from the network. Errors name the flag (UsageError: exit 2).
 */
import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { UsageError } from '../usage-error.js';
import { loopbackAddress } from '../server/listen.js';

export interface MetricsListen {
  /** the address given to listen() */
  bind: string;
  port: number;
  /** `http://127.0.0.1:9464` */
  url: string;
  /** set when the host is not loopback: say it out loud */
  warning?: string;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const Spec = z.pipe(
  z
    .string()
    .check(
      z.regex(
        /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/,
        'must be host:port, e.g. 127.0.0.1:9464 (IPv6 as [::1]:9464)',
      ),
    ),
  z
    .transform((s: string) => {
      const i = s.lastIndexOf(':');
      return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
    })
    .check(
      z.refine((v) => v.port >= 1 && v.port <= 65535, 'the port must be a whole number from 1 to 65535'),
      z.refine(
        (v) => isIP(v.host.replace(/^\[|\]$/g, '')) !== 0 || HOSTNAME.test(v.host),
        'the host must be an IP address or a host name',
      ),
    ),
);

export function parseMetricsListen(raw: unknown, flag = 'metrics-listen'): MetricsListen | undefined {
  if (raw === undefined) return undefined;
  const r = Spec.safeParse(typeof raw === 'string' ? raw : '');
  if (!r.success) throw new UsageError(`--${flag}: ${r.error.issues[0]?.message ?? 'invalid'}, got "${String(raw)}"`);
  const { host, port } = r.data;
  const loop = loopbackAddress(host);
  if (loop) return { bind: loop.bind, port, url: `http://${loop.urlHost}:${port}` };
  const bare = host.replace(/^\[|\]$/g, '');
  const urlHost = isIP(bare) === 6 ? `[${bare}]` : bare;
  return {
    bind: bare,
    port,
    url: `http://${urlHost}:${port}`,
    warning: `--${flag} ${host}:${port} is not a loopback address: /metrics and /healthz are reachable from the network there (they hold no secrets; firewall the port if that is not intended)`,
  };
}
