/**
 * The metrics/health listener: GET /metrics and GET /healthz only, no token (nothing secret in either), on the
 * shared node:http adapter. Not the helper's listen.ts: that listener refuses any non-loopback host by design (it
 * fronts the API that mints stream keys), while this one binds exactly what the user typed after a warning.
 */
import { closer, fetchServer } from '../http/node-http.js';
import type { Snapshot } from '../../shared/supervisor/index.js';
import { healthz } from './healthz.js';
import type { MetricsListen } from './listen-flag.js';
import type { Metrics } from './registry.js';

export interface MetricsListenerOptions {
  at: MetricsListen;
  metrics: Metrics;
  snapshot: () => Snapshot | null;
  graceMs: number;
  now?: () => number;
  log?: (line: string) => void;
}

export interface MetricsListener {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(status: number, type: string, body: string): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  });
}

function metricsHandler(o: MetricsListenerOptions): (req: Request) => Promise<Response> {
  const now = o.now ?? Date.now;
  return async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    if (path === '/healthz') {
      const h = healthz(o.snapshot(), now(), o.graceMs);
      return send(h.code, 'application/json; charset=utf-8', JSON.stringify(h.body) + '\n');
    }
    if (path !== '/metrics')
      return send(404, 'text/plain; charset=utf-8', 'Not found: this listener serves /metrics and /healthz\n');
    try {
      return send(200, o.metrics.contentType, await o.metrics.render());
    } catch (e) {
      o.log?.(`metrics: render failed: ${e instanceof Error ? e.message : String(e)}`);
      return send(500, 'text/plain; charset=utf-8', 'metrics unavailable\n');
    }
  };
}

export function startMetricsListener(o: MetricsListenerOptions): Promise<MetricsListener> {
  const server = fetchServer({
    handler: metricsHandler(o),
    origin: () => o.at.url,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 15_000,
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${o.at.bind}:${o.at.port}`;
      if (e.code === 'EADDRINUSE') reject(new Error(`--metrics-listen ${where}: that port is already in use`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(new Error(`--metrics-listen ${where}: that address is not available on this machine`));
      else if (e.code === 'EACCES')
        reject(new Error(`--metrics-listen ${where}: not allowed to listen there (choose a port above 1023)`));
      else reject(e);
    });
    server.listen(o.at.port, o.at.bind, () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : o.at.port;
      resolve({ url: o.at.url, port, close: closer(server) });
    });
  });
}
