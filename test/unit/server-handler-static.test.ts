/**
 * The helper's HTTP handler, called directly (no port): the dock's static files.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../script/server/handler.js';
import { call, errorOf, fx, noCorsHeaders, useHandlerFixture } from '../helpers/handler-fixture.js';

useHandlerFixture();

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
