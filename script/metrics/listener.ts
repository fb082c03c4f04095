/**
 * The metrics/health listener: node:http serving GET /metrics and GET /healthz only, no token (nothing secret
 * in either). Not the helper's listen.ts: that adapter refuses any non-loopback host by design (it fronts the
 * API that mints stream keys), while this one binds exactly what the user typed after a warning.
 */
import { createServer, type ServerResponse } from 'node:http';
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

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(body);
}

export function startMetricsListener(o: MetricsListenerOptions): Promise<MetricsListener> {
  const now = o.now ?? Date.now;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    if (path === '/healthz') {
      const h = healthz(o.snapshot(), now(), o.graceMs);
      return send(res, h.code, 'application/json; charset=utf-8', JSON.stringify(h.body) + '\n');
    }
    if (path !== '/metrics') return send(res, 404, 'text/plain; charset=utf-8', 'Not found: this listener serves /metrics and /healthz\n');
    o.metrics.render().then(
      (text) => send(res, 200, o.metrics.contentType, text),
      (e: unknown) => {
        o.log?.(`metrics: render failed: ${e instanceof Error ? e.message : String(e)}`);
        send(res, 500, 'text/plain; charset=utf-8', 'metrics unavailable\n');
      },
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${o.at.bind}:${o.at.port}`;
      if (e.code === 'EADDRINUSE') reject(new Error(`--metrics-listen ${where}: that port is already in use`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new Error(`--metrics-listen ${where}: that address is not available on this machine`));
      else if (e.code === 'EACCES') reject(new Error(`--metrics-listen ${where}: not allowed to listen there (choose a port above 1023)`));
      else reject(e);
    });
    server.listen(o.at.port, o.at.bind, () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : o.at.port;
      resolve({
        url: o.at.url,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
