/**
 * A local chat-robot stand-in on 127.0.0.1: records every POST (path, query, body, when) and answers as told:
 * 200, 500, or never (a hung robot: the request is held until the receiver closes).
 */
import { createServer, type ServerResponse } from 'node:http';

export interface Received {
  at: number;
  url: string;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  mode: 'ok' | 'fail' | 'hang';
  close(): Promise<void>;
}

export async function startReceiver(mode: Receiver['mode']): Promise<Receiver> {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const r = { received, mode } as Receiver;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ at: Date.now(), url: req.url ?? '', body });
      if (r.mode === 'hang') return void held.push(res);
      res
        .writeHead(r.mode === 'ok' ? 200 : 500, { 'content-type': 'application/json' })
        .end(r.mode === 'ok' ? '{"errcode":0}' : '{"error":"boom"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  r.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  r.close = () =>
    new Promise<void>((done) => {
      for (const h of held) h.destroy();
      server.close(() => done());
      server.closeAllConnections();
    });
  return r;
}
