/**
 * Binds a server to 127.0.0.1 only. With `fallback`, a port already taken (EADDRINUSE) is replaced by a
 * free one the OS picks: the sandbox's defaults (4467, 1935) yield, an explicitly asked port does not.
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

function listenOnce(server: NetServer | HttpServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: LOOPBACK, exclusive: true });
  });
}

export async function listenLocal(server: NetServer | HttpServer, port: number, fallback: boolean): Promise<number> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port must be 0-65535, got ${port}`);
  try {
    return await listenOnce(server, port);
  } catch (e) {
    if (fallback && port !== 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') return listenOnce(server, 0);
    throw e;
  }
}
