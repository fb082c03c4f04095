/**
 * The node:http adapter: one smoke test on a real port (127.0.0.1, port 0), plus what only a socket shows:
 * the raw Host header, an un-normalised path, a body cut off over the cap, a busy port.
 */
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, TOKEN_HEADER } from '../../shared/api-routes.js';
import { createHandler, type Handler, type HandlerDeps } from '../../script/server/handler.js';
import { intentStore, settingsStore } from '../../script/server/json-store.js';
import { createLeases } from '../../script/server/leases.js';
import { ListenError, listen, loopbackAddress, type Listening } from '../../script/server/listen.js';

const TOKEN = 'smoke-token-0123456789abcdefghijklmnopqrstu';
const open: Listening[] = [];

function deps(port: number): HandlerDeps {
  const dir = mkdtempSync(join(tmpdir(), 'artc-listen-'));
  mkdirSync(join(dir, 'dock'));
  writeFileSync(join(dir, 'dock', 'index.html'), '<title>dock</title>');
  writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET');
  const now = () => Date.UTC(2025, 0, 1);
  return {
    port,
    token: TOKEN,
    api: {
      mint: async () => {
        throw new Error('unused');
      },
      participants: async () => ({ requestId: 'r', users: [], total: 0 }),
    },
    health: {
      version: 't',
      mode: 'sandbox',
      endpoint: 'http://127.0.0.1:4467',
      credentialSource: 'sandbox',
      startedAt: new Date(now()).toISOString(),
    },
    obsHints: () => ({ url: 'ws://127.0.0.1:4455', source: 'default' }),
    settingsStore: settingsStore(join(dir, 'config')),
    intentStore: intentStore(join(dir, 'config')),
    leases: createLeases(now),
    staticDir: join(dir, 'dock'),
    now,
  };
}

async function start(): Promise<Listening> {
  let h: Handler = async () => new Response(null, { status: 503 });
  const l = await listen({ host: '127.0.0.1', port: 0, handler: (r) => h(r) });
  open.push(l);
  h = createHandler(deps(l.port));
  return l;
}

/** node:http, so the Host header and the path go out exactly as written. */
function raw(
  port: number,
  path: string,
  headers: Record<string, string | number>,
  body?: Buffer,
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: body ? 'PUT' : 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('listen', () => {
  it('serves the handler on 127.0.0.1 (smoke)', async () => {
    const l = await start();
    expect(l.url).toBe(`http://127.0.0.1:${l.port}`);
    const res = await fetch(`${l.url}/api/health`, { headers: { [TOKEN_HEADER]: TOKEN } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, mode: 'sandbox' });
    const page = await fetch(`${l.url}/`);
    expect(await page.text()).toContain('<title>dock</title>');
    const put = await fetch(`${l.url}/api/settings`, {
      method: 'PUT',
      headers: { [TOKEN_HEADER]: TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ presets: [] }),
    });
    expect(await put.json()).toEqual({ presets: [] });
  });

  it('passes the raw Host header through: a rebinding host is refused', async () => {
    const l = await start();
    const res = await raw(l.port, '/api/health', { host: `evil.com:${l.port}`, [TOKEN_HEADER]: TOKEN });
    expect(res.status).toBe(403);
    expect(res.text).toContain('HostNotAllowed');
  });

  it('does not serve files outside the dock for raw ../ paths or absolute-form targets', async () => {
    const l = await start();
    for (const path of ['/../secret.txt', '/../../../../etc/passwd', '/..%2fsecret.txt']) {
      const res = await raw(l.port, path, {});
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('TOP-SECRET');
    }
    const abs = await raw(l.port, `http://evil.com/`, {});
    expect(abs.status).toBe(400);
  });

  it('answers 413 to a body over the cap sent without Content-Length', async () => {
    const l = await start();
    const res = await raw(
      l.port,
      '/api/settings',
      { [TOKEN_HEADER]: TOKEN, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      Buffer.alloc(MAX_BODY_BYTES * 4, 0x20),
    );
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
  });

  it('a busy port is a clear error', async () => {
    const l = await start();
    const err = await listen({ port: l.port, handler: async () => new Response('') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListenError);
    expect((err as Error).message).toMatch(new RegExp(`Port ${l.port} on 127\\.0\\.0\\.1 is already in use.*--port`));
  });

  it('refuses to bind anything but loopback', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) {
      await expect(listen({ host, port: 0, handler: async () => new Response('') })).rejects.toThrow(/loopback only/);
    }
    expect(loopbackAddress('localhost')).toEqual({ bind: '127.0.0.1', urlHost: '127.0.0.1' });
    expect(loopbackAddress('::1')).toEqual({ bind: '::1', urlHost: '[::1]' });
  });
});
