/**
 * The helper's HTTP handler, called directly (no port): what it keeps. Settings and intent persistence, leases
 * (fake clock), the sandbox faults route.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { type FaultRequest } from '../../shared/api-routes.js';
import { createHandler } from '../../script/server/handler.js';
import { CHANNEL, call, fx, useHandlerFixture } from '../helpers/handler-fixture.js';

useHandlerFixture();

describe('settings and intent', () => {
  it('settings start as defaults and round-trip through the file, stored 0600', async () => {
    expect(await (await call('/api/settings')).json()).toEqual({ presets: [] });
    const settings = {
      presets: [{ id: 'p1', name: 'Main', channel: CHANNEL }],
      selectedPresetId: 'p1',
      obsUrl: 'ws://127.0.0.1:4455',
      language: 'zh-CN',
    };
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
    const put = await call('/api/intent', {
      method: 'PUT',
      json: { shouldBeLive: true, channel: CHANNEL, by: 'dock', updatedAt: '1999-01-01T00:00:00Z' },
    });
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
  const lease = (holder: string, extra: Record<string, unknown> = {}) =>
    call('/api/lease', { json: { holder, obsUrl: 'ws://127.0.0.1:4455', ttlMs: 10_000, ...extra } }).then((r) =>
      r.json(),
    );

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

  it("release frees only the holder's own lease", async () => {
    await lease('dock-A');
    expect(await lease('run-B', { release: true })).toMatchObject({ granted: false, holder: 'dock-A' });
    expect(await lease('dock-A', { release: true })).toEqual({ granted: false });
    expect((await lease('run-B')).granted).toBe(true);
  });
});

describe('sandbox faults route', () => {
  const fault: FaultRequest = {
    kind: 'fail-next',
    action: 'CreateRoomRealTimeStreamAddress',
    count: 2,
    status: 503,
    code: 'ServiceUnavailable',
  };

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
