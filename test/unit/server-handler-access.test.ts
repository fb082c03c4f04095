/**
 * The helper's HTTP handler, called directly (no port): who may call it. The token, the Host check (DNS
 * rebinding), Origin and Fetch Metadata.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HealthBody, TOKEN_HEADER } from '../../shared/api-routes.js';
import { call, errorOf, fx, noCorsHeaders, ORIGIN, TOKEN, useHandlerFixture } from '../helpers/handler-fixture.js';

useHandlerFixture();

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
    expect(HealthBody.parse(await res.json())).toEqual({
      ok: true,
      version: '1.2.3',
      mode: 'cloud',
      endpoint: 'https://live.aliyuncs.com',
      credentialSource: 'environment',
      startedAt: '2025-01-01T12:00:00.000Z',
    });
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

  it.each([['127.0.0.1:4466'], ['localhost:4466'], ['LOCALHOST:4466'], ['[::1]:4466']])(
    'accepts Host %s',
    async (host) => {
      expect((await call('/api/health', { host })).status).toBe(200);
    },
  );
});

describe('Origin and Fetch Metadata', () => {
  it.each([
    ['http://evil.com'],
    ['http://127.0.0.1:4467'],
    ['https://127.0.0.1:4466'],
    ['http://localhost:3000'],
    ['null'],
  ])('rejects Origin %s', async (origin) => {
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
