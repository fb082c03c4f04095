/**
 * The helper's HTTP handler, called directly (no port): Host, Origin and Fetch Metadata checks, the token,
 * body limits and parsing, error mapping, static files, settings/intent persistence and leases.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiErrorBody, HealthBody, IngestUrlBody, MAX_BODY_BYTES, TOKEN_HEADER, type ChannelRef, type ChannelSettings, type FaultRequest } from '../../shared/api-routes.js';
import { ApiError } from '../../script/cloud/errors.js';
import { createHandler, type Handler, type HandlerDeps } from '../../script/server/handler.js';
import { cloudApi, type CloudApi } from '../../script/server/cloud-api.js';
import { intentStore, settingsStore } from '../../script/server/json-store.js';
import { createLeases } from '../../script/server/leases.js';

const PORT = 4466;
const TOKEN = 'tok_' + 'x'.repeat(39);
const SECRET = 'AKSECRET-very-secret-value';
const ORIGIN = `http://127.0.0.1:${PORT}`;
const CHANNEL: ChannelSettings = { appId: 'app1', channelId: 'room1', userId: 'obs-1', displayName: 'Studio A' };

interface Fixture {
  handler: Handler;
  deps: HandlerDeps;
  api: { mint: ReturnType<typeof vi.fn>; participants: ReturnType<typeof vi.fn> };
  clock: { t: number };
  logs: string[];
  dir: string;
  dockDir: string;
}

let fx: Fixture;

function makeFixture(over: Partial<HandlerDeps> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'artc-handler-'));
  const dockDir = join(dir, 'dock');
  mkdirSync(join(dockDir, 'assets'), { recursive: true });
  writeFileSync(join(dockDir, 'index.html'), '<!doctype html><title>dock</title>');
  writeFileSync(join(dockDir, 'assets', 'index-Kvt0grSb.js'), 'console.log(1)');
  writeFileSync(join(dockDir, 'assets', 'style-AbCd1234.css'), 'body{}');
  writeFileSync(join(dockDir, '.env'), 'HIDDEN');
  writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET-FILE');
  symlinkSync(join(dir, 'secret.txt'), join(dockDir, 'link.txt'));
  const configDir = join(dir, 'config');
  const clock = { t: Date.UTC(2025, 0, 1, 12, 0, 0) };
  const logs: string[] = [];
  const api = {
    mint: vi.fn(async (c: ChannelSettings) => ({ requestId: 'req-1', rtmpAddress: `rtmp://push.example/${c.appId}/s?auth_key=1-2-3-x`, server: `rtmp://push.example/${c.appId}`, streamKey: 's?auth_key=1-2-3-x', expiresAt: new Date(clock.t + 36_000_000).toISOString() })),
    participants: vi.fn(async (_r: ChannelRef) => ({ requestId: 'req-2', users: ['a', 'b'], total: 2 })),
  };
  const deps: HandlerDeps = {
    port: PORT,
    token: TOKEN,
    api: api as unknown as CloudApi,
    health: { version: '1.2.3', mode: 'cloud', endpoint: 'https://live.aliyuncs.com', credentialSource: 'environment', startedAt: new Date(clock.t).toISOString() },
    obsHints: () => ({ url: 'ws://127.0.0.1:4455', source: 'default' }),
    settingsStore: settingsStore(configDir, (l) => logs.push(l)),
    intentStore: intentStore(configDir, (l) => logs.push(l)),
    leases: createLeases(() => clock.t),
    staticDir: dockDir,
    now: () => clock.t,
    secrets: [SECRET],
    log: (l) => logs.push(l),
    ...over,
  };
  return { handler: createHandler(deps), deps, api, clock, logs, dir, dockDir };
}

interface ReqOpts {
  method?: string;
  host?: string | null;
  token?: string | null;
  origin?: string;
  site?: string;
  json?: unknown;
  body?: BodyInit;
  contentType?: string | null;
  headers?: Record<string, string>;
}

function call(path: string, o: ReqOpts = {}, h: Handler = fx.handler): Promise<Response> {
  const headers = new Headers(o.headers);
  if (o.host !== null) headers.set('host', o.host ?? `127.0.0.1:${PORT}`);
  if (o.token !== null && path.startsWith('/api')) headers.set(TOKEN_HEADER, o.token ?? TOKEN);
  if (o.origin) headers.set('origin', o.origin);
  if (o.site) headers.set('sec-fetch-site', o.site);
  let body = o.body;
  if (o.json !== undefined) body = JSON.stringify(o.json);
  if (body !== undefined && o.contentType !== null) headers.set('content-type', o.contentType ?? 'application/json');
  const init: RequestInit & { duplex?: string } = { method: o.method ?? (body !== undefined ? 'POST' : 'GET'), headers };
  if (body !== undefined) {
    init.body = body;
    init.duplex = 'half';
  }
  return h(new Request(`http://127.0.0.1:${PORT}${path}`, init));
}

async function errorOf(res: Response): Promise<ApiErrorBody> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return ApiErrorBody.parse(await res.json());
}

function noCorsHeaders(res: Response): void {
  for (const [name] of res.headers) expect(name).not.toMatch(/^access-control-/);
}

beforeEach(() => {
  fx = makeFixture();
});

describe('token', () => {
  it('is required on every /api call, checked before routing', async () => {
    const missing = await call('/api/health', { token: null });
    expect(missing.status).toBe(401);
    expect((await errorOf(missing)).code).toBe('TokenRequired');
    const unknownRoute = await call('/api/nope', { token: null });
    expect(unknownRoute.status).toBe(401);
  });

  it('rejects a wrong token (also one of a different length) and never echoes either token', async () => {
    for (const wrong of ['nope', TOKEN.slice(0, -1) + 'y', TOKEN + 'x']) {
      const res = await call('/api/health', { token: wrong });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).toContain('TokenInvalid');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(wrong);
    }
  });

  it('accepts the right token: health', async () => {
    const res = await call('/api/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(HealthBody.parse(await res.json())).toEqual({ ok: true, version: '1.2.3', mode: 'cloud', endpoint: 'https://live.aliyuncs.com', credentialSource: 'environment', startedAt: '2025-01-01T12:00:00.000Z' });
  });

  it('is not needed for the dock page and its assets', async () => {
    expect((await call('/')).status).toBe(200);
    expect((await call('/assets/index-Kvt0grSb.js')).status).toBe(200);
  });

  it('unknown API route with the token -> 404, wrong method -> 405 with Allow', async () => {
    const nf = await call('/api/nope');
    expect(nf.status).toBe(404);
    expect((await errorOf(nf)).code).toBe('NotFound');
    const del = await call('/api/settings', { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, PUT');
  });
});

describe('Host check (DNS rebinding)', () => {
  it.each([
    ['evil.com:4466'],
    ['evil.com'],
    ['127.0.0.1:4467'],
    ['127.0.0.1'],
    ['localhost:80'],
    ['localhost.evil.com:4466'],
    ['127.0.0.1.nip.io:4466'],
    ['0.0.0.0:4466'],
    ['192.168.1.10:4466'],
  ])('rejects Host %s on the API and on static files', async (host) => {
    for (const path of ['/api/health', '/']) {
      const res = await call(path, { host });
      expect(res.status).toBe(403);
      const body = await errorOf(res);
      expect(body.code).toBe('HostNotAllowed');
      expect(body.message).not.toContain('evil');
    }
  });

  it('rejects a request without Host', async () => {
    const res = await call('/api/health', { host: null });
    expect(res.status).toBe(403);
  });

  it.each([['127.0.0.1:4466'], ['localhost:4466'], ['LOCALHOST:4466'], ['[::1]:4466']])('accepts Host %s', async (host) => {
    expect((await call('/api/health', { host })).status).toBe(200);
  });
});

describe('Origin and Fetch Metadata', () => {
  it.each([['http://evil.com'], ['http://127.0.0.1:4467'], ['https://127.0.0.1:4466'], ['http://localhost:3000'], ['null']])('rejects Origin %s', async (origin) => {
    const res = await call('/api/settings', { method: 'PUT', origin, json: { presets: [] } });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('CrossOriginNotAllowed');
    noCorsHeaders(res);
    // nothing was written
    expect(readdirSync(fx.dir)).not.toContain('config');
  });

  it.each([[ORIGIN], ['http://localhost:4466']])('accepts our own origin %s', async (origin) => {
    const res = await call('/api/settings', { method: 'PUT', origin, site: 'same-origin', json: { presets: [] } });
    expect(res.status).toBe(200);
    noCorsHeaders(res);
  });

  it('rejects Sec-Fetch-Site: cross-site everywhere, and same-site on the API', async () => {
    expect((await call('/api/health', { site: 'cross-site' })).status).toBe(403);
    expect((await call('/', { site: 'cross-site' })).status).toBe(403);
    expect((await call('/api/health', { site: 'same-site' })).status).toBe(403);
    expect((await call('/api/health', { site: 'same-origin' })).status).toBe(200);
    expect((await call('/', { site: 'none' })).status).toBe(200);
  });

  it('answers preflights with 403 (foreign origin) or 405, never with CORS headers', async () => {
    const preflight = await call('/api/ingest-url', {
      method: 'OPTIONS',
      origin: 'http://evil.com',
      token: null,
      headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': TOKEN_HEADER },
    });
    expect(preflight.status).toBe(403);
    noCorsHeaders(preflight);
    const own = await call('/api/health', { method: 'OPTIONS', origin: ORIGIN });
    expect(own.status).toBe(405);
    noCorsHeaders(own);
  });
});

describe('request bodies', () => {
  it('413 when Content-Length is over the cap, without reading', async () => {
    const res = await call('/api/settings', { method: 'PUT', body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('BodyTooLarge');
  });

  it('413 for a streamed body over the cap, cancelling the stream early', async () => {
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(16 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        if (pulled > 1000) c.close();
        else c.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const res = await call('/api/settings', { method: 'PUT', body: stream });
    expect(res.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(20);
  });

  it('a body exactly at the cap is read (then judged by the schema)', async () => {
    const json = JSON.stringify({ presets: [] });
    const body = json + ' '.repeat(MAX_BODY_BYTES - json.length);
    const res = await call('/api/settings', { method: 'PUT', body });
    expect(res.status).toBe(200);
  });

  it('415 unless Content-Type is application/json', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null]) {
      const res = await call('/api/ingest-url', { body: JSON.stringify(CHANNEL), contentType });
      expect(res.status).toBe(415);
      expect((await errorOf(res)).code).toBe('UnsupportedMediaType');
    }
    expect((await call('/api/ingest-url', { body: JSON.stringify(CHANNEL), contentType: 'Application/JSON; charset=utf-8' })).status).toBe(200);
    expect(fx.api.mint).toHaveBeenCalledTimes(1);
  });

  it('400 for invalid JSON, invalid UTF-8 and an empty body', async () => {
    const bad = await call('/api/ingest-url', { body: '{"appId": ' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe('InvalidJson');
    const latin = await call('/api/ingest-url', { body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect((await errorOf(latin)).code).toBe('InvalidJson');
    const empty = await call('/api/ingest-url', { body: '' });
    expect((await errorOf(empty)).code).toBe('BodyRequired');
    expect(fx.api.mint).not.toHaveBeenCalled();
  });

  it('400 naming the bad field, from the shared zod schemas', async () => {
    const res = await call('/api/ingest-url', { json: { ...CHANNEL, appId: 'bad id!' } });
    expect(res.status).toBe(400);
    const body = await errorOf(res);
    expect(body).toMatchObject({ code: 'InputInvalid', field: 'appId', retryable: false });
    expect(body.message).toContain('AppId may contain only');

    const missing = await errorOf(await call('/api/participants', { json: { appId: 'a' } }));
    expect(missing.field).toBe('channelId');

    const nested = await errorOf(await call('/api/settings', { method: 'PUT', json: { presets: [{ id: 'p', name: 'P', channel: { ...CHANNEL, channelId: '' } }] } }));
    expect(nested.field).toBe('presets.0.channel.channelId');

    const lease = await errorOf(await call('/api/lease', { json: { holder: 'h', obsUrl: 'ws://x', ttlMs: 10 } }));
    expect(lease.field).toBe('ttlMs');
    expect(fx.api.mint).not.toHaveBeenCalled();
  });
});

describe('cloud calls and error mapping', () => {
  it('mints a URL and lists participants through the api dep', async () => {
    const res = await call('/api/ingest-url', { json: { ...CHANNEL, expireTime: 600 } });
    expect(res.status).toBe(200);
    expect(IngestUrlBody.parse(await res.json()).server).toBe('rtmp://push.example/app1');
    expect(fx.api.mint).toHaveBeenCalledWith({ ...CHANNEL, expireTime: 600 });
    const p = await call('/api/participants', { json: { appId: 'app1', channelId: 'room1' } });
    expect(await p.json()).toEqual({ requestId: 'req-2', users: ['a', 'b'], total: 2 });
  });

  it('throttling -> 429, retryable, Retry-After, Code and RequestId kept', async () => {
    fx.api.mint.mockRejectedValueOnce(new ApiError({ kind: 'throttling', code: 'Throttling.User', message: 'Request was denied due to user flow control.', requestId: 'RID-1', status: 400, retryAfterMs: 1500 }));
    const res = await call('/api/ingest-url', { json: CHANNEL });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await errorOf(res)).toEqual({ code: 'Throttling.User', message: 'Request was denied due to user flow control.', requestId: 'RID-1', retryable: true });
  });

  it('server, network and auth failures -> 502 with the cloud Code and RequestId', async () => {
    fx.api.mint.mockRejectedValueOnce(new ApiError({ kind: 'server', code: 'ServiceUnavailable', message: 'try later', requestId: 'RID-2', status: 503 }));
    const s = await call('/api/ingest-url', { json: CHANNEL });
    expect(s.status).toBe(502);
    expect(await errorOf(s)).toMatchObject({ code: 'ServiceUnavailable', requestId: 'RID-2', retryable: true });

    fx.api.participants.mockRejectedValueOnce(new ApiError({ kind: 'auth', code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.', requestId: 'RID-3', status: 404 }));
    const a = await call('/api/participants', { json: { appId: 'a', channelId: 'c' } });
    expect(a.status).toBe(502);
    expect(await errorOf(a)).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', requestId: 'RID-3', retryable: false });

    fx.api.mint.mockRejectedValueOnce(ApiError.network('CreateRoomRealTimeStreamAddress', new Error('ECONNREFUSED')));
    const n = await call('/api/ingest-url', { json: CHANNEL });
    expect(n.status).toBe(502);
    expect(await errorOf(n)).toMatchObject({ code: 'NetworkError', retryable: true });
  });

  it('cloud input errors -> 400 with the field when the Code names it', async () => {
    fx.api.mint.mockRejectedValueOnce(new ApiError({ kind: 'input', code: 'InvalidChannelId.Malformed', message: 'The specified ChannelId is invalid.', requestId: 'RID-4', status: 400 }));
    const res = await call('/api/ingest-url', { json: CHANNEL });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({ code: 'InvalidChannelId.Malformed', message: 'The specified ChannelId is invalid.', requestId: 'RID-4', retryable: false, field: 'channelId' });
  });

  it('never returns a secret, even when an error message quotes it', async () => {
    fx.api.mint.mockRejectedValueOnce(new ApiError({ kind: 'signature', code: 'SignatureDoesNotMatch', message: `string to sign used key ${SECRET}`, requestId: 'RID-5', status: 400 }));
    const res = await call('/api/ingest-url', { json: CHANNEL });
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[redacted]');
  });

  it('unexpected errors -> 500 with a generic message; the log line is redacted too', async () => {
    fx.api.mint.mockRejectedValueOnce(new TypeError(`cannot read ${SECRET}`));
    const res = await call('/api/ingest-url', { json: CHANNEL });
    expect(res.status).toBe(500);
    const body = await errorOf(res);
    expect(body.code).toBe('InternalError');
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect(fx.logs.join('\n')).toContain('cannot read [redacted]');
    expect(fx.logs.join('\n')).not.toContain(SECRET);
  });

  it('cloudApi maps camelCase settings to the PascalCase parameters and ms to ISO', async () => {
    const client = {
      createRoomRealTimeStreamAddress: vi.fn(async () => ({ requestId: 'r', rtmpAddress: 'rtmp://h/a/s?auth_key=k', server: 'rtmp://h/a', streamKey: 's?auth_key=k', expiresAt: Date.UTC(2025, 0, 1), requestedAt: 0 })),
      describeChannelParticipants: vi.fn(async () => ({ requestId: 'r1', requestIds: ['r1', 'r2'], users: ['u'], total: 1 })),
    };
    const api = cloudApi(client);
    expect(await api.mint({ ...CHANNEL, expireTime: 60 })).toEqual({ requestId: 'r', rtmpAddress: 'rtmp://h/a/s?auth_key=k', server: 'rtmp://h/a', streamKey: 's?auth_key=k', expiresAt: '2025-01-01T00:00:00.000Z' });
    expect(client.createRoomRealTimeStreamAddress).toHaveBeenCalledWith({ AppId: 'app1', ChannelId: 'room1', UserId: 'obs-1', DisplayName: 'Studio A', ExpireTime: 60 });
    await api.mint(CHANNEL);
    expect(client.createRoomRealTimeStreamAddress).toHaveBeenLastCalledWith({ AppId: 'app1', ChannelId: 'room1', UserId: 'obs-1', DisplayName: 'Studio A' });
    expect(await api.participants({ appId: 'app1', channelId: 'room1' })).toEqual({ requestId: 'r1', users: ['u'], total: 1 });
    expect(client.describeChannelParticipants).toHaveBeenCalledWith({ AppId: 'app1', ChannelId: 'room1' });
  });
});

describe('static files', () => {
  it('serves index.html at / with no-cache and the security headers', async () => {
    const res = await call('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\* ws:\/\/localhost:\*/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain('<title>dock</title>');
    noCorsHeaders(res);
    expect((await call('/index.html')).status).toBe(200);
  });

  it('serves hashed assets as immutable with the right content types', async () => {
    const js = await call('/assets/index-Kvt0grSb.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const css = await call('/assets/style-AbCd1234.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it.each([
    ['/../secret.txt'],
    ['/%2e%2e/secret.txt'],
    ['/assets/..%2f..%2fsecret.txt'],
    ['/assets/%2e%2e%2f%2e%2e%2fsecret.txt'],
    ['/..%5csecret.txt'],
    ['/assets%5c..%5c..%5csecret.txt'],
    ['/%00index.html'],
    ['/.env'],
    ['/link.txt'],
    ['/assets/'],
    ['/assets'],
    ['/nope.js'],
    ['/%E0%A4%A'],
  ])('404 for %s, never a file outside the dock', async (path) => {
    const res = await call(path);
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).not.toContain('TOP-SECRET-FILE');
    expect(text).not.toContain('HIDDEN');
  });

  it('HEAD gives headers only; other methods are refused', async () => {
    const head = await call('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('<!doctype html><title>dock</title>'.length));
    expect(await head.text()).toBe('');
    expect((await call('/', { method: 'POST', body: 'x', contentType: 'text/plain' })).status).toBe(405);
  });

  it('says the dock is not built when the folder is missing', async () => {
    const h = createHandler({ ...fx.deps, staticDir: join(fx.dir, 'missing') });
    const res = await call('/', {}, h);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toContain('npm run build');
  });
});

describe('settings and intent', () => {
  it('settings start as defaults and round-trip through the file, stored 0600', async () => {
    expect(await (await call('/api/settings')).json()).toEqual({ presets: [] });
    const settings = { presets: [{ id: 'p1', name: 'Main', channel: CHANNEL }], selectedPresetId: 'p1', obsUrl: 'ws://127.0.0.1:4455', language: 'zh-CN' };
    const put = await call('/api/settings', { method: 'PUT', json: settings });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual(settings);
    expect(await (await call('/api/settings')).json()).toEqual(settings);
    const file = join(fx.dir, 'config', 'settings.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(settings);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(fx.dir, 'config')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('unknown keys are stripped by the schema', async () => {
    const put = await call('/api/settings', { method: 'PUT', json: { presets: [], accessKeySecret: 'x' } });
    expect(await put.json()).toEqual({ presets: [] });
  });

  it('a corrupt settings file is kept aside and replaced by defaults, with a log line', async () => {
    mkdirSync(join(fx.dir, 'config'), { recursive: true });
    writeFileSync(join(fx.dir, 'config', 'settings.json'), '{"presets": 12');
    const res = await call('/api/settings');
    expect(await res.json()).toEqual({ presets: [] });
    const files = readdirSync(join(fx.dir, 'config'));
    const backup = files.find((f) => f.startsWith('settings.json.corrupt-'));
    expect(backup).toBeDefined();
    expect(readFileSync(join(fx.dir, 'config', backup!), 'utf8')).toBe('{"presets": 12');
    expect(JSON.parse(readFileSync(join(fx.dir, 'config', 'settings.json'), 'utf8'))).toEqual({ presets: [] });
    expect(fx.logs.some((l) => l.includes('settings.json was unreadable'))).toBe(true);
  });

  it('a settings file that fails the schema is treated the same way', async () => {
    mkdirSync(join(fx.dir, 'config'), { recursive: true });
    writeFileSync(join(fx.dir, 'config', 'settings.json'), JSON.stringify({ presets: [{ id: '' }] }));
    expect(await (await call('/api/settings')).json()).toEqual({ presets: [] });
    expect(fx.logs.join('\n')).toMatch(/settings\.json was unreadable \(presets\.0/);
  });

  it('intent round-trips, stamped with the helper clock', async () => {
    expect(await (await call('/api/intent')).json()).toEqual({ shouldBeLive: false });
    const put = await call('/api/intent', { method: 'PUT', json: { shouldBeLive: true, channel: CHANNEL, by: 'dock', updatedAt: '1999-01-01T00:00:00Z' } });
    const want = { shouldBeLive: true, channel: CHANNEL, by: 'dock', updatedAt: '2025-01-01T12:00:00.000Z' };
    expect(await put.json()).toEqual(want);
    fx.clock.t += 5_000;
    expect(await (await call('/api/intent')).json()).toEqual(want);
    expect(JSON.parse(readFileSync(join(fx.dir, 'config', 'intent.json'), 'utf8'))).toEqual(want);
  });

  it('obs hints come from the dep', async () => {
    expect(await (await call('/api/obs-hints')).json()).toEqual({ url: 'ws://127.0.0.1:4455', source: 'default' });
  });
});

describe('leases (fake clock)', () => {
  const lease = (holder: string, extra: Record<string, unknown> = {}) => call('/api/lease', { json: { holder, obsUrl: 'ws://127.0.0.1:4455', ttlMs: 10_000, ...extra } }).then((r) => r.json());

  it('grants when free, refuses another holder until expiry, renews for the same holder', async () => {
    expect(await lease('dock-A')).toEqual({ granted: true, holder: 'dock-A', expiresAt: '2025-01-01T12:00:10.000Z' });
    expect(await lease('run-B')).toEqual({ granted: false, holder: 'dock-A', expiresAt: '2025-01-01T12:00:10.000Z' });
    fx.clock.t += 6_000;
    expect(await lease('dock-A')).toEqual({ granted: true, holder: 'dock-A', expiresAt: '2025-01-01T12:00:16.000Z' });
    fx.clock.t += 9_999;
    expect((await lease('run-B')).granted).toBe(false);
    fx.clock.t += 1;
    expect(await lease('run-B')).toEqual({ granted: true, holder: 'run-B', expiresAt: '2025-01-01T12:00:26.000Z' });
  });

  it('treats spellings of the same OBS URL as one lease, different OBS as separate', async () => {
    expect((await lease('dock-A')).granted).toBe(true);
    expect((await lease('run-B', { obsUrl: 'WS://127.0.0.1:4455/' })).granted).toBe(false);
    expect((await lease('run-B', { obsUrl: 'ws://127.0.0.1:4456' })).granted).toBe(true);
  });

  it('release frees only the holder\'s own lease', async () => {
    await lease('dock-A');
    expect(await lease('run-B', { release: true })).toMatchObject({ granted: false, holder: 'dock-A' });
    expect(await lease('dock-A', { release: true })).toEqual({ granted: false });
    expect((await lease('run-B')).granted).toBe(true);
  });
});

describe('sandbox faults route', () => {
  const fault: FaultRequest = { kind: 'fail-next', action: 'CreateRoomRealTimeStreamAddress', count: 2, status: 503, code: 'ServiceUnavailable' };

  it('is 404 outside sandbox mode (after the token check)', async () => {
    expect((await call('/api/sandbox/fault', { json: fault, token: null })).status).toBe(401);
    const res = await call('/api/sandbox/fault', { json: fault });
    expect(res.status).toBe(404);
  });

  it('passes a parsed fault to the sandbox', async () => {
    const faults = vi.fn(async (_f: FaultRequest) => undefined);
    const h = createHandler({ ...fx.deps, faults });
    const res = await call('/api/sandbox/fault', { json: fault }, h);
    expect(await res.json()).toEqual({ ok: true });
    expect(faults).toHaveBeenCalledWith(fault);
    const bad = await call('/api/sandbox/fault', { json: { kind: 'explode' } }, h);
    expect(bad.status).toBe(400);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});
