/**
 * A local stand-in for live.aliyuncs.com used by the CLI tests (the sandbox emulator is the full one):
 * it recomputes each request's Authorization with the OFFICIAL `@alicloud/openapi-util` signer over the
 * headers the request says it signed, and answers with scripted bodies. No network beyond 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import OpenApiUtil from '@alicloud/openapi-util';

const official = (OpenApiUtil as unknown as { default?: typeof OpenApiUtil }).default ?? OpenApiUtil;

export interface Seen {
  method: string;
  action: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  signatureOk: boolean;
}

export type Responder = (seen: Seen) => { status: number; body: unknown; headers?: Record<string, string> };

export async function startVerifier(secrets: Record<string, string>, respond: Responder) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      const query = Object.fromEntries(url.searchParams);
      const auth = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
        String(req.headers.authorization ?? ''),
      );
      let signatureOk = false;
      if (auth && secrets[auth[1]!] !== undefined) {
        const signed = auth[2]!.split(';');
        const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h] ?? '')]));
        const expected = official.getAuthorization(
          { pathname: '/', method: req.method, query, headers } as never,
          'ACS3-HMAC-SHA256',
          String(req.headers['x-acs-content-sha256']),
          auth[1]!,
          secrets[auth[1]!]!,
        );
        const bodyHash = createHash('sha256').update(body).digest('hex');
        signatureOk =
          expected === req.headers.authorization &&
          bodyHash === req.headers['x-acs-content-sha256'] &&
          signed.includes('host') &&
          signed.includes('x-acs-date');
      }
      const s: Seen = {
        method: req.method ?? '',
        action: String(req.headers['x-acs-action'] ?? ''),
        query,
        headers: req.headers,
        signatureOk,
      };
      seen.push(s);
      const r = signatureOk
        ? respond(s)
        : {
            status: 400,
            body: {
              RequestId: 'SIG-1',
              HostId: 'live.aliyuncs.com',
              Code: 'SignatureDoesNotMatch',
              Message: 'Specified signature is not matched with our calculation.',
            },
          };
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { endpoint: `http://127.0.0.1:${port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}
