/**
 * Binds a `(Request) => Promise<Response>` handler to node:http on 127.0.0.1 through the shared adapter
 * (script/http/node-http.ts; the Hono shape: the handler knows nothing of sockets), under the sandbox's policy:
 * bodies capped at 1 MiB (the cloud's gateway answers 413), hop-by-hop headers dropped, errors in the cloud's
 * JSON shape; a request has 15 s to arrive whole.
 */
import { closer, fetchServer, type FetchHandler } from '../http/node-http.js';
import { listenLocal, LOOPBACK } from './listen.js';

const MAX_BODY = 1024 * 1024;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'expect',
  'proxy-connection',
  'te',
  'trailer',
]);

export interface BoundServer {
  readonly port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

/** The whole body, or BodyTooLarge past the cap (cancelling the stream: the adapter then closes the connection). */
async function readBody(req: Request): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY) {
      await reader.cancel();
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function cloudError(status: number, code: string, message: string): Response {
  const headers = { 'content-type': 'application/json', connection: 'close' };
  return new Response(JSON.stringify({ Code: code, Message: message }), { status, headers });
}

/** The sandbox's policy around its handler: what the cloud's front door does before the gateway sees a request. */
function sandboxPolicy(handler: FetchHandler): FetchHandler {
  return async (req) => {
    try {
      // an origin-form target only: "//host/path" would read as another host to a URL parser
      if (new URL(req.url).pathname.startsWith('//')) {
        return new Response('bad request target', { status: 400, headers: { 'content-type': 'text/plain' } });
      }
      const body = await readBody(req);
      const headers = new Headers();
      req.headers.forEach((value, name) => HOP_BY_HOP.has(name) || headers.set(name, value));
      const withBody = req.method !== 'GET' && req.method !== 'HEAD';
      return await handler(
        new Request(req.url, { method: req.method, headers, ...(withBody ? { body: new Uint8Array(body) } : {}) }),
      );
    } catch (e) {
      if (e instanceof BodyTooLarge) return cloudError(413, 'RequestEntityTooLarge', 'body over 1 MiB');
      return cloudError(500, 'InternalError', 'sandbox adapter error');
    }
  };
}

/** With `tls` the server speaks HTTPS (the STS stand-in: the credentials library only calls STS over HTTPS). */
export async function bindHandler(
  handler: FetchHandler,
  opts: { port: number; fallback: boolean; tls?: { key: string; cert: string } },
): Promise<BoundServer> {
  let port = 0;
  const server = fetchServer({
    handler: sandboxPolicy(handler),
    // the URL the emulator's gateway sees (and signs over) is the plain one, as before the adapter
    origin: () => `http://${LOOPBACK}:${port}`,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 15_000,
    ...(opts.tls ? { tls: opts.tls } : {}),
  });
  port = await listenLocal(server, opts.port, opts.fallback);
  return { port, close: closer(server) };
}
