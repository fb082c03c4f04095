/**
 * The helper's listener: its handler on the shared node:http adapter (script/http/node-http.ts), loopback only:
 * binding anything else would put the helper's API (which can mint stream keys) on the network.
 */
import { closer, fetchServer } from '../http/node-http.js';
import type { Handler } from './handler.js';

export class ListenError extends Error {
  override name = 'ListenError';
}

/** --host value -> [address to bind, host as it appears in a URL]; null when not loopback. */
export function loopbackAddress(host: string): { bind: string; urlHost: string } | null {
  switch (host.toLowerCase()) {
    case '127.0.0.1':
    case 'localhost': // bound as 127.0.0.1: what "localhost" resolves to differs between systems
      return { bind: '127.0.0.1', urlHost: '127.0.0.1' };
    case '::1':
    case '[::1]':
      return { bind: '::1', urlHost: '[::1]' };
    default:
      return null;
  }
}

export interface ListenOptions {
  host?: string;
  port: number;
  handler: Handler;
  log?: (line: string) => void;
}

export interface Listening {
  port: number;
  /** `http://127.0.0.1:4466` */
  url: string;
  close(): Promise<void>;
}

export function listen(o: ListenOptions): Promise<Listening> {
  const host = o.host ?? '127.0.0.1';
  const addr = loopbackAddress(host);
  if (!addr)
    return Promise.reject(
      new ListenError(`--host ${host}: the helper listens on loopback only (127.0.0.1, ::1 or localhost)`),
    );
  let origin = `http://${addr.urlHost}:${o.port}`;

  // a slow client cannot hold a connection open forever
  const server = fetchServer({
    handler: o.handler,
    origin: () => origin,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    ...(o.log ? { log: o.log } : {}),
  });

  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE')
        reject(
          new ListenError(
            `Port ${o.port} on ${addr.urlHost} is already in use (is another \`artc-ingest serve\` running?). Stop it, or choose another port with --port.`,
          ),
        );
      else if (e.code === 'EACCES')
        reject(
          new ListenError(
            `Not allowed to listen on port ${o.port} on ${addr.urlHost}: choose a port above 1023 with --port.`,
          ),
        );
      else if (e.code === 'EADDRNOTAVAIL')
        reject(new ListenError(`Cannot listen on ${addr.urlHost}: that address is not available on this machine.`));
      else reject(e);
    });
    server.listen(o.port, addr.bind, () => {
      const bound = server.address();
      const port = typeof bound === 'object' && bound ? bound.port : o.port;
      origin = `http://${addr.urlHost}:${port}`;
      resolve({ port, url: origin, close: closer(server) });
    });
  });
}
