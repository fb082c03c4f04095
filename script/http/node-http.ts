/**
 * The one node:http adapter: IncomingMessage -> Request (body streamed), Response -> ServerResponse, for the
 * helper's listener (server/listen.ts) and the sandbox's (sandbox/http-binding.ts). Where a server may bind,
 * and how big a body may be, are its users' policies (the helper: loopback only, the handler caps bodies; the
 * sandbox: 127.0.0.1, 1 MiB); this module only translates and keeps a slow client from holding a connection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';

export type FetchHandler = (req: Request) => Promise<Response>;

export interface FetchServerOptions {
  handler: FetchHandler;
  /** the origin the handler sees in `req.url` (read per request: a port-0 listener learns its port on bind) */
  origin: () => string;
  /** ms for the headers to arrive, and for the whole request */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** HTTPS (the sandbox's STS stand-in: the credentials library only calls STS over HTTPS) */
  tls?: { key: string; cert: string };
  /** a handler that threw: one line, no stack */
  log?: (line: string) => void;
}

/** The request body as a web stream. Cancelling it (body over the cap) stops buffering and drains the rest. */
function bodyStream(req: IncomingMessage, onCancel: () => void): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
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
    },
    { highWaterMark: 4 },
  );
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

/** A node:http (or https) server, not yet listening, that hands each request to `handler`. */
export function fetchServer(o: FetchServerOptions): Server {
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    // origin-form only ("/path"); an absolute-form target would let the client pick the URL's host
    if (!req.url?.startsWith('/')) return plain(res, 400, 'Bad request target');
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    let closeAfter = false;
    try {
      const response = await o.handler(toRequest(req, o.origin(), ac.signal, () => (closeAfter = true)));
      await writeResponse(res, response, closeAfter);
    } catch (e) {
      o.log?.(`request failed: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) plain(res, 500, 'Internal error');
      else res.destroy();
    }
  };
  const server = o.tls ? createTlsServer({ key: o.tls.key, cert: o.tls.cert }, serve) : createServer(serve);
  server.headersTimeout = o.headersTimeoutMs;
  server.requestTimeout = o.requestTimeoutMs;
  return server;
}

/** Stops accepting, drops open connections (keep-alive ones too), resolves once closed; safe to call twice. */
export function closer(server: Server): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }));
}
