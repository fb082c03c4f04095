/**
 * The thin node:http adapter: IncomingMessage -> Request (body streamed), Response -> ServerResponse.
 * Loopback only: binding anything else would put the helper's API (which can mint stream keys) on the network.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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

/** The request body as a web stream. Cancelling it (body over the cap) stops buffering and drains the rest. */
function bodyStream(req: IncomingMessage, onCancel: () => void): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.on('end', () => !done && ((done = true), controller.close()));
      req.on('error', (e) => !done && ((done = true), controller.error(e)));
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
      onCancel();
      req.resume();
    },
  }, { highWaterMark: 4 });
}

function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal, onCancel: () => void): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(origin + req.url, {
    method,
    headers,
    signal,
    ...(hasBody ? { body: bodyStream(req, onCancel), duplex: 'half' } : {}),
  } as RequestInit);
}

async function writeResponse(res: ServerResponse, response: Response, closeAfter: boolean): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (closeAfter) res.setHeader('connection', 'close');
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await new Promise<void>((r) => res.once('drain', r));
  }
  res.end();
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(text);
}

export function listen(o: ListenOptions): Promise<Listening> {
  const host = o.host ?? '127.0.0.1';
  const addr = loopbackAddress(host);
  if (!addr) return Promise.reject(new ListenError(`--host ${host}: the helper listens on loopback only (127.0.0.1, ::1 or localhost)`));
  let origin = `http://${addr.urlHost}:${o.port}`;

  const server = createServer(async (req, res) => {
    // origin-form only ("/path"); an absolute-form target would let the client pick the URL's host
    if (!req.url?.startsWith('/')) return plain(res, 400, 'Bad request target');
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    let closeAfter = false;
    try {
      const response = await o.handler(toRequest(req, origin, ac.signal, () => (closeAfter = true)));
      await writeResponse(res, response, closeAfter);
    } catch (e) {
      o.log?.(`request failed: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) plain(res, 500, 'Internal error');
      else res.destroy();
    }
  });
  // a slow client cannot hold a connection open forever
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new ListenError(`Port ${o.port} on ${addr.urlHost} is already in use (is another \`artc-ingest serve\` running?). Stop it, or choose another port with --port.`));
      else if (e.code === 'EACCES') reject(new ListenError(`Not allowed to listen on port ${o.port} on ${addr.urlHost}: choose a port above 1023 with --port.`));
      else if (e.code === 'EADDRNOTAVAIL') reject(new ListenError(`Cannot listen on ${addr.urlHost}: that address is not available on this machine.`));
      else reject(e);
    });
    server.listen(o.port, addr.bind, () => {
      const bound = server.address();
      const port = typeof bound === 'object' && bound ? bound.port : o.port;
      origin = `http://${addr.urlHost}:${port}`;
      resolve({
        port,
        url: origin,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
