/**
 * The helper's HTTP handler, called directly (no port), for test/unit/server-handler-*.test.ts: a fixture (temp
 * dock and config folders, a fake cloud API, a fake clock), `call()` to build a Request as a browser would, and
 * the assertions the files share. `useHandlerFixture()` gives each case a fresh fixture in `fx`.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { ApiErrorBody, TOKEN_HEADER, type ChannelRef, type ChannelSettings } from '../../shared/api-routes.js';
import { createHandler, type Handler, type HandlerDeps } from '../../script/server/handler.js';
import { type CloudApi } from '../../script/server/cloud-api.js';
import { intentStore, settingsStore } from '../../script/server/json-store.js';
import { createLeases } from '../../script/server/leases.js';

export const PORT = 4466;
export const TOKEN = 'tok_' + 'x'.repeat(39);
export const SECRET = 'AKSECRET-very-secret-value';
export const ORIGIN = `http://127.0.0.1:${PORT}`;
export const CHANNEL: ChannelSettings = { appId: 'app1', channelId: 'room1', userId: 'obs-1', displayName: 'Studio A' };

export interface Fixture {
  handler: Handler;
  deps: HandlerDeps;
  api: { mint: ReturnType<typeof vi.fn>; participants: ReturnType<typeof vi.fn> };
  clock: { t: number };
  logs: string[];
  dir: string;
  dockDir: string;
}

/** the current case's fixture (set before each case by useHandlerFixture) */
export let fx: Fixture;

export function makeFixture(over: Partial<HandlerDeps> = {}): Fixture {
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
    mint: vi.fn(async (c: ChannelSettings) => ({
      requestId: 'req-1',
      rtmpAddress: `rtmp://push.example/${c.appId}/s?auth_key=1-2-3-x`,
      server: `rtmp://push.example/${c.appId}`,
      streamKey: 's?auth_key=1-2-3-x',
      expiresAt: new Date(clock.t + 36_000_000).toISOString(),
    })),
    participants: vi.fn(async (_r: ChannelRef) => ({ requestId: 'req-2', users: ['a', 'b'], total: 2 })),
  };
  const deps: HandlerDeps = {
    port: PORT,
    token: TOKEN,
    api: api as unknown as CloudApi,
    health: {
      version: '1.2.3',
      mode: 'cloud',
      endpoint: 'https://live.aliyuncs.com',
      credentialSource: 'environment',
      startedAt: new Date(clock.t).toISOString(),
    },
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

export interface ReqOpts {
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

export function call(path: string, o: ReqOpts = {}, h: Handler = fx.handler): Promise<Response> {
  const headers = new Headers(o.headers);
  if (o.host !== null) headers.set('host', o.host ?? `127.0.0.1:${PORT}`);
  if (o.token !== null && path.startsWith('/api')) headers.set(TOKEN_HEADER, o.token ?? TOKEN);
  if (o.origin) headers.set('origin', o.origin);
  if (o.site) headers.set('sec-fetch-site', o.site);
  let body = o.body;
  if (o.json !== undefined) body = JSON.stringify(o.json);
  if (body !== undefined && o.contentType !== null) headers.set('content-type', o.contentType ?? 'application/json');
  const init: RequestInit & { duplex?: string } = {
    method: o.method ?? (body !== undefined ? 'POST' : 'GET'),
    headers,
  };
  if (body !== undefined) {
    init.body = body;
    init.duplex = 'half';
  }
  return h(new Request(`http://127.0.0.1:${PORT}${path}`, init));
}

export async function errorOf(res: Response): Promise<ApiErrorBody> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return ApiErrorBody.parse(await res.json());
}

export function noCorsHeaders(res: Response): void {
  for (const [name] of res.headers) expect(name).not.toMatch(/^access-control-/);
}

/** A fresh fixture before each case of the calling file, mocks restored after. */
export function useHandlerFixture(): void {
  beforeEach(() => {
    fx = makeFixture();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
}
