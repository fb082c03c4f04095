/** Ports on 127.0.0.1 for tests: one free to bind now, or one held busy (a server listening) until closed. */
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A port some other server holds on 127.0.0.1; `close()` frees it. */
export async function busyPort(): Promise<{ port: number; close: () => void }> {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  return { port: (blocker.address() as { port: number }).port, close: () => blocker.close() };
}
