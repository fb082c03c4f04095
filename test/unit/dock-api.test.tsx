// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_HEADER } from '../../shared/api-routes.js';
import { createApiClient } from '../../dock/src/api/client.js';
import { ApiCallError } from '../../dock/src/api/errors.js';
import { readToken } from '../../dock/src/api/token.js';
import { createStorage, memoryStorage } from '../../dock/src/lib/storage.js';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const INGEST = {
  requestId: 'R1',
  rtmpAddress: 'rtmp://h/app/s?auth_key=x',
  server: 'rtmp://h/app',
  streamKey: 's?auth_key=x',
  expiresAt: '2026-01-01T10:00:00Z',
};
const CH = { appId: 'a', channelId: 'c', userId: 'u', displayName: 'd' };

async function rejection(p: Promise<unknown>): Promise<ApiCallError> {
  try {
    await p;
  } catch (e) {
    return e as ApiCallError;
  }
  throw new Error('expected a rejection');
}

describe('dock api client (typed from the route map)', () => {
  afterEach(() => vi.useRealTimers());

  it('sends same-origin with the token header and the route method, and validates the answer', async () => {
    const fetch = vi.fn(async () => json(200, INGEST));
    const api = createApiClient({ token: () => 'tok123', fetch });
    await expect(api.call('ingestUrl', CH)).resolves.toEqual(INGEST);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/ingest-url');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)[TOKEN_HEADER]).toBe('tok123');
    expect(JSON.parse(init.body as string)).toEqual(CH);
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('GET routes send no body', async () => {
    const fetch = vi.fn(async () => json(200, { shouldBeLive: false }));
    const api = createApiClient({ token: () => 't', fetch });
    await api.call('getIntent');
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.method).toBe('GET');
    expect(init.body).toBeUndefined();
  });

  it('surfaces helper errors as {code, message, requestId, retryable}', async () => {
    const api = createApiClient({
      token: () => 't',
      fetch: async () =>
        json(503, { code: 'Throttling.User', message: 'slow down', retryable: true, requestId: 'REQ-7' }),
    });
    const e = await rejection(api.call('participants', { appId: 'a', channelId: 'c' }));
    expect(e).toMatchObject({
      code: 'Throttling.User',
      message: 'slow down',
      requestId: 'REQ-7',
      retryable: true,
      status: 503,
    });
  });

  it('refuses a body that fails the route schema before sending, naming the field', async () => {
    const fetch = vi.fn();
    const api = createApiClient({ token: () => 't', fetch });
    const e = await rejection(api.call('ingestUrl', { ...CH, appId: 'bad id' }));
    expect(e.code).toBe('InvalidRequest');
    expect(e.field).toBe('appId');
    expect(e.message).toContain('appId: AppId may contain only');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('flags an answer that does not match the schema', async () => {
    const api = createApiClient({ token: () => 't', fetch: async () => json(200, { ok: 'yes' }) });
    expect((await rejection(api.call('health'))).code).toBe('BadResponse');
  });

  it('a fetch failure is HelperUnreachable (retryable); a 401 keeps the helper code', async () => {
    const down = createApiClient({
      token: () => 't',
      fetch: async () => Promise.reject(new TypeError('Failed to fetch')),
    });
    expect(await rejection(down.call('health'))).toMatchObject({ code: 'HelperUnreachable', retryable: true });
    const refused = createApiClient({
      token: () => 'wrong',
      fetch: async () => json(401, { code: 'TokenInvalid', message: 'Wrong x-artc-token', retryable: false }),
    });
    expect(await rejection(refused.call('health'))).toMatchObject({ code: 'TokenInvalid', status: 401 });
  });

  it('every call has a deadline (AbortController)', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(
      (_url: string, init: RequestInit) =>
        new Promise<Response>((_, reject) =>
          init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        ),
    );
    const api = createApiClient({
      token: () => 't',
      fetch: fetch as unknown as typeof globalThis.fetch,
      timeoutMs: 10_000,
    });
    const p = rejection(api.call('health'));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await p).toMatchObject({ code: 'Timeout', retryable: true });
  });
});

describe('dock token', () => {
  beforeEach(() => localStorage.clear());

  it('reads ?token= once, keeps it, and strips it from the address bar', () => {
    history.replaceState(null, '', '/?token=abc123&lang=en#x');
    const storage = createStorage();
    expect(readToken(location, history, storage)).toBe('abc123');
    expect(location.search).toBe('?lang=en');
    expect(location.hash).toBe('#x');
    expect(location.href).not.toContain('abc123');
    expect(localStorage.getItem('artc-ingest:token')).toBe('abc123');
    // a reload without the token still has it
    expect(readToken(location, history, storage)).toBe('abc123');
  });

  it('a new token in the URL replaces the kept one; none at all is null', () => {
    const storage = memoryStorage({ token: 'old' });
    const hist = { replaceState: vi.fn() };
    expect(readToken({ href: 'http://127.0.0.1:4466/?token=new' }, hist, storage)).toBe('new');
    expect(hist.replaceState).toHaveBeenCalledWith(null, '', '/');
    expect(readToken({ href: 'http://127.0.0.1:4466/' }, hist, memoryStorage())).toBeNull();
  });

  it('storage that throws never breaks the dock', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => undefined,
    } as unknown as Storage;
    const storage = createStorage(broken);
    expect(storage.get('token')).toBeNull();
    expect(() => storage.set('token', 'x')).not.toThrow();
  });
});
