/**
 * Binds a `(Request) => Promise<Response>` handler to node:http on 127.0.0.1 (the Hono shape: the
 * handler knows nothing of sockets). Bodies are capped at 1 MiB; a request has 15 s to arrive whole.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { listenLocal, LOOPBACK } from './listen.js';

const MAX_BODY = 1024 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'proxy-connection', 'te', 'trailer']);

export interface BoundServer {
  readonly port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toRequest(req: IncomingMessage, body: Buffer, port: number): Request | null {
  const path = req.url ?? '';
  if (!path.startsWith('/') || path.startsWith('//')) return null;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = req.method ?? 'GET';
  const withBody = method !== 'GET' && method !== 'HEAD';
  return new Request(`http://${LOOPBACK}:${port}${path}`, { method, headers, ...(withBody ? { body: new Uint8Array(body) } : {}) });
}

async function respond(handler: (req: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
  try {
    const request = toRequest(req, await readBody(req), port);
    if (!request) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request target');
      return;
    }
    const response = await handler(request);
    const out = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers)).end(out);
  } catch (e) {
    if (res.headersSent) return void res.destroy();
    const tooLarge = e instanceof BodyTooLarge;
    res.writeHead(tooLarge ? 413 : 500, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ Code: tooLarge ? 'RequestEntityTooLarge' : 'InternalError', Message: tooLarge ? 'body over 1 MiB' : 'sandbox adapter error' }));
  }
}

/** With `tls` the server speaks HTTPS (the STS stand-in: the credentials library only calls STS over HTTPS). */
export async function bindHandler(handler: (req: Request) => Promise<Response>, opts: { port: number; fallback: boolean; tls?: { key: string; cert: string } }): Promise<BoundServer> {
  let port = 0;
  const serve = (req: IncomingMessage, res: ServerResponse) => void respond(handler, req, res, port);
  const server = opts.tls ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, serve) : createServer(serve);
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  port = await listenLocal(server, opts.port, opts.fallback);
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
