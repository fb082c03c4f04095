import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { configDir } from '../../script/paths.js';
import { obsConfigDir, readObsWebsocket } from '../../script/obs-config.js';

describe('config folders per OS', () => {
  const home = '/home/u';
  it.each([
    ['linux', {}, join(home, '.config')],
    ['linux', { XDG_CONFIG_HOME: '/x' }, '/x'],
    ['darwin', {}, join(home, 'Library', 'Application Support')],
    ['win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u\\AppData\\Roaming'],
  ] as const)('%s %j', (platform, env, root) => {
    expect(configDir({ env, platform, home })).toBe(join(root, 'artc-ingest'));
    expect(obsConfigDir({ env, platform, home })).toBe(join(root, 'obs-studio'));
  });
  it('honours ARTC_INGEST_HOME and OBS_CONFIG_DIR', () => {
    expect(configDir({ env: { ARTC_INGEST_HOME: '/a' }, platform: 'linux', home })).toBe('/a');
    expect(obsConfigDir({ env: { OBS_CONFIG_DIR: '/o' }, platform: 'win32', home })).toBe('/o');
  });
});

describe('readObsWebsocket', () => {
  const files = (m: Record<string, string>) => (p: string) => m[p];
  it('reads OBS 28-30.1 global.ini', () => {
    const ini =
      '[General]\nFirstRun=true\n[OBSWebSocket]\nServerEnabled=true\nServerPort=4456\nAuthRequired=true\nServerPassword=pw1\n';
    expect(readObsWebsocket('/c', files({ '/c/global.ini': ini }))).toEqual({
      url: 'ws://127.0.0.1:4456',
      port: 4456,
      password: 'pw1',
      serverEnabled: true,
      authRequired: true,
      source: '/c/global.ini',
    });
  });
  it('prefers the obs-websocket 5.5 JSON (OBS 30.2+)', () => {
    const json = JSON.stringify({
      server_enabled: false,
      server_port: 4455,
      auth_required: true,
      server_password: 'pw2',
    });
    const r = readObsWebsocket(
      '/c',
      files({ '/c/global.ini': '[OBSWebSocket]\nServerPort=1\n', '/c/plugin_config/obs-websocket/config.json': json }),
    );
    expect(r).toMatchObject({ port: 4455, password: 'pw2', serverEnabled: false });
  });
  it('returns null when OBS was never configured', () => {
    expect(readObsWebsocket('/c', files({}))).toBeNull();
    expect(readObsWebsocket('/c', files({ '/c/global.ini': '[General]\n' }))).toBeNull();
  });
});
