import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { install, type InstallOptions } from '../../script/install/install.js';
import { uninstall } from '../../script/install/uninstall.js';
import { readDocks } from '../../script/install/browser-docks.js';
import { readScripts } from '../../script/install/scene-collection.js';
import { manifestPath } from '../../script/install/manifest.js';
import { parseIni } from '../../script/ini.js';
import type { RunningObs } from '../../script/install/obs-running.js';
import { makeObsConfig, snapshot, type Fixture, type ObsGen } from '../helpers/install-fixtures.js';

const TOKEN = 'T'.repeat(43);
const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) rmSync(f.root, { recursive: true, force: true });
});

function setup(gen: ObsGen): Fixture {
  const f = makeObsConfig(gen);
  fixtures.push(f);
  return f;
}

function opts(f: Fixture, over: Partial<InstallOptions> = {}) {
  let out = '';
  const o: InstallOptions = {
    obsConfigDir: f.obsDir,
    helperDir: f.helperDir,
    port: 4466,
    sandbox: false,
    nodePath: '/usr/bin/node',
    helperPath: '/opt/artc/dist/artc-ingest.mjs',
    scriptPath: '/opt/artc/dist/artc-ingest.lua',
    enableWebsocket: true,
    dryRun: false,
    findRunningObs: () => [],
    out: (t) => (out += t),
    now: () => Date.UTC(2025, 0, 2),
    newPassword: () => 'GeneratedPassword123',
    newUuid: () => '{00000000-0000-4000-8000-000000000001}',
    loadToken: () => TOKEN,
    ...over,
  };
  return { o, out: () => out };
}

const uopts = (f: Fixture, over: { dryRun?: boolean; findRunningObs?: () => RunningObs[] } = {}) => {
  let out = '';
  return {
    o: {
      obsConfigDir: f.obsDir,
      helperDir: f.helperDir,
      dryRun: false,
      findRunningObs: () => [] as RunningObs[],
      out: (t: string) => (out += t),
      ...over,
    },
    out: () => out,
  };
};

describe.each([29, 30, 31] as const)('install / uninstall on an OBS %i config folder', (gen) => {
  it('adds the dock, the script and turns obs-websocket on, with backups and a manifest', () => {
    const f = setup(gen);
    const before = snapshot(f.obsDir);
    const { o, out } = opts(f);
    expect(install(o)).toBe(0);

    const docks = readDocks(readFileSync(f.files.docks, 'utf8'));
    expect(docks.docks.map((d) => d.title)).toEqual(['Chat "Main"', 'ARTC Ingest']);
    expect(docks.docks[1]).toEqual({
      title: 'ARTC Ingest',
      url: `http://127.0.0.1:4466/?token=${TOKEN}`,
      uuid: '{00000000-0000-4000-8000-000000000001}',
    });
    if (gen === 31) expect(readFileSync(f.files.global, 'utf8')).not.toContain('ExtraBrowserDocks');

    const scripts = readScripts(readFileSync(f.files.scenes, 'utf8')).scripts;
    expect(scripts.map((s) => s.path)).toEqual(['/home/u/obs-scripts/clock.lua', '/opt/artc/dist/artc-ingest.lua']);
    expect(scripts[1]!.settings).toEqual({
      helper_path: '/opt/artc/dist/artc-ingest.mjs',
      node_path: '/usr/bin/node',
      port: 4466,
      sandbox: false,
      config_dir: f.helperDir,
    });

    if (gen === 29) {
      const ws = parseIni(readFileSync(f.files.global, 'utf8')).get('OBSWebSocket')!;
      expect([ws.get('ServerEnabled'), ws.get('AuthRequired'), ws.get('ServerPassword')]).toEqual([
        'true',
        'true',
        'GeneratedPassword123',
      ]);
    } else {
      expect(JSON.parse(readFileSync(f.files.ws, 'utf8'))).toMatchObject({
        server_enabled: true,
        auth_required: true,
        server_password: 'GeneratedPassword123',
      });
    }
    // backups hold the original bytes
    for (const p of new Set([f.files.docks, f.files.scenes, f.files.ws])) {
      expect(readFileSync(p + '.artc-ingest.bak').toString('base64')).toBe(before.get(p.slice(f.obsDir.length + 1)));
    }
    expect(existsSync(manifestPath(f.helperDir, f.obsDir))).toBe(true);
    expect(out()).toContain('ARTC Ingest');
    expect(out()).not.toContain(TOKEN);
    expect(out()).not.toContain('GeneratedPassword123');
  });

  it('a second install changes nothing', () => {
    const f = setup(gen);
    expect(install(opts(f).o)).toBe(0);
    const afterFirst = snapshot(f.root);
    const second = opts(f);
    expect(install(second.o)).toBe(0);
    expect(second.out()).toContain('Already installed: nothing to change.');
    expect(snapshot(f.root)).toEqual(afterFirst);
  });

  it('uninstall restores every file byte for byte and removes backups and manifest', () => {
    const f = setup(gen);
    const original = snapshot(f.obsDir);
    install(opts(f).o);
    install(opts(f).o);
    const u = uopts(f);
    expect(uninstall(u.o)).toBe(0);
    expect(snapshot(f.obsDir)).toEqual(original);
    expect(existsSync(manifestPath(f.helperDir, f.obsDir))).toBe(false);
    expect(u.out()).toContain('restored byte for byte');
    // and again: nothing left to undo
    const again = uopts(f);
    expect(uninstall(again.o)).toBe(0);
    expect(snapshot(f.obsDir)).toEqual(original);
  });

  it('refuses (exit 1) while OBS runs on this folder, and changes nothing', () => {
    const f = setup(gen);
    const original = snapshot(f.root);
    const running = () => [{ pid: 4242, name: 'obs', configDir: f.obsDir }];
    const { o, out } = opts(f, { findRunningObs: running });
    expect(install(o)).toBe(1);
    expect(out()).toMatch(/OBS Studio is running \(obs pid 4242\)\. Close OBS first/);
    expect(snapshot(f.root)).toEqual(original);

    install(opts(f).o);
    const installed = snapshot(f.root);
    const u = uopts(f, { findRunningObs: running });
    expect(uninstall(u.o)).toBe(1);
    expect(u.out()).toContain('Close OBS first');
    expect(snapshot(f.root)).toEqual(installed);
  });

  it('an OBS whose config folder cannot be told blocks too; one on another folder does not', () => {
    const f = setup(gen);
    expect(install(opts(f, { findRunningObs: () => [{ pid: 1, name: 'obs' }] }).o)).toBe(1);
    expect(
      install(opts(f, { findRunningObs: () => [{ pid: 1, name: 'obs', configDir: '/elsewhere/obs-studio' }] }).o),
    ).toBe(0);
  });

  it('--dry-run prints each file and change and writes nothing (not even the token)', () => {
    const f = setup(gen);
    const original = snapshot(f.root);
    const { o, out } = opts(f, {
      dryRun: true,
      loadToken: () => {
        throw new Error('dry run must not create a token');
      },
    });
    expect(install(o)).toBe(0);
    expect(snapshot(f.root)).toEqual(original);
    expect(out()).toContain('Dry run: would change these files');
    expect(out()).toContain(f.files.docks);
    expect(out()).toContain(f.files.scenes);
    expect(out()).toContain(f.files.ws);
    expect(out()).toContain('+ dock "ARTC Ingest" -> http://127.0.0.1:4466/?token=<hidden>');
    expect(out()).toContain('+ Lua script /opt/artc/dist/artc-ingest.lua in scene collection "My Scenes"');
    expect(out()).toContain('+ obs-websocket: server on, authentication on, new generated password');
    expect(out()).toContain('a new helper token would be created');

    install(opts(f).o);
    const installed = snapshot(f.root);
    const u = uopts(f, { dryRun: true });
    expect(uninstall(u.o)).toBe(0);
    expect(u.out()).toContain('Dry run: would change');
    expect(u.out()).toContain('restored byte for byte');
    expect(snapshot(f.root)).toEqual(installed);
  });

  it('after OBS rewrote a file, uninstall removes only our entries and keeps the rest', () => {
    const f = setup(gen);
    install(opts(f).o);
    // OBS rewrites the docks file on exit (here: one more setting) and saves the script's settings
    writeFileSync(f.files.docks, readFileSync(f.files.docks, 'utf8') + '\n[Hotkeys]\nOBSBasic.StartStreaming={}\n');
    const scenes = JSON.parse(readFileSync(f.files.scenes, 'utf8'));
    scenes.modules['scripts-tool'][1].settings.port = 4466;
    scenes.sources.push({ id: 'color_source', name: 'Color' });
    writeFileSync(f.files.scenes, JSON.stringify(scenes, null, 4));

    const u = uopts(f);
    expect(uninstall(u.o)).toBe(0);
    expect(u.out()).toContain(
      "changed since install (OBS rewrites it when it runs): removed only artc-ingest's entries",
    );
    const docksText = readFileSync(f.files.docks, 'utf8');
    expect(readDocks(docksText).docks.map((d) => d.title)).toEqual(['Chat "Main"']);
    expect(docksText).toContain('OBSBasic.StartStreaming');
    const after = JSON.parse(readFileSync(f.files.scenes, 'utf8'));
    expect(after.modules['scripts-tool'].map((s: { path: string }) => s.path)).toEqual([
      '/home/u/obs-scripts/clock.lua',
    ]);
    expect(after.sources.map((s: { name: string }) => s.name)).toEqual(['Scene', 'Color']);
  });
});

describe('install details', () => {
  it('without --enable-websocket it leaves obs-websocket off and says how to turn it on', () => {
    const f = setup(29);
    const { o, out } = opts(f, { enableWebsocket: false });
    expect(install(o)).toBe(0);
    expect(parseIni(readFileSync(f.files.global, 'utf8')).get('OBSWebSocket')!.get('ServerEnabled')).toBe('false');
    expect(out()).toContain('obs-websocket is off');
    expect(out()).toContain('--enable-websocket');
  });

  it('keeps a websocket password that is already configured', () => {
    const f = setup(30);
    writeFileSync(f.files.ws, JSON.stringify({ server_enabled: false, auth_required: true, server_password: 'mine' }));
    install(opts(f).o);
    expect(JSON.parse(readFileSync(f.files.ws, 'utf8'))).toMatchObject({
      server_enabled: true,
      server_password: 'mine',
    });
  });

  it('a new port updates the dock URL and the script setting, and uninstall still restores the original', () => {
    const f = setup(31);
    const original = snapshot(f.obsDir);
    install(opts(f).o);
    const { o, out } = opts(f, { port: 5000 });
    expect(install(o)).toBe(0);
    expect(out()).toContain('~ dock "ARTC Ingest" -> http://127.0.0.1:5000/');
    expect(readDocks(readFileSync(f.files.docks, 'utf8')).docks[1]!.url).toBe(`http://127.0.0.1:5000/?token=${TOKEN}`);
    expect(readScripts(readFileSync(f.files.scenes, 'utf8')).scripts[1]!.settings!.port).toBe(5000);
    uninstall(uopts(f).o);
    expect(snapshot(f.obsDir)).toEqual(original);
  });

  it('OBS rewrote a file between two installs: uninstall keeps what OBS wrote and removes only our entries', () => {
    const f = setup(29);
    install(opts(f).o);
    writeFileSync(f.files.global, readFileSync(f.files.global, 'utf8') + '\n[Video]\nBaseCX=1920\n');
    install(opts(f, { port: 5000 }).o);
    const u = uopts(f);
    uninstall(u.o);
    const text = readFileSync(f.files.global, 'utf8');
    expect(text).toContain('BaseCX=1920');
    expect(readDocks(text).docks.map((d) => d.title)).toEqual(['Chat "Main"']);
    expect(parseIni(text).get('OBSWebSocket')!.get('ServerEnabled')).toBe('false');
    expect(u.out()).toContain("removed only artc-ingest's entries");
  });

  it('an existing "ARTC Ingest" dock is updated in place and put back by uninstall', () => {
    const f = setup(29);
    const text = readFileSync(f.files.global, 'utf8').replace(
      /ExtraBrowserDocks=.*/,
      'ExtraBrowserDocks=[{"title": "ARTC Ingest", "url": "http://127.0.0.1:4466/?token=old", "uuid": "{u1}"}]',
    );
    writeFileSync(f.files.global, text);
    install(opts(f).o);
    const docks = readDocks(readFileSync(f.files.global, 'utf8')).docks;
    expect(docks).toEqual([{ title: 'ARTC Ingest', url: `http://127.0.0.1:4466/?token=${TOKEN}`, uuid: '{u1}' }]);
    // OBS ran since: semantic removal puts the old entry back
    writeFileSync(f.files.global, readFileSync(f.files.global, 'utf8') + '\n[Extra]\nA=1\n');
    uninstall(uopts(f).o);
    expect(readDocks(readFileSync(f.files.global, 'utf8')).docks).toEqual([
      { title: 'ARTC Ingest', url: 'http://127.0.0.1:4466/?token=old', uuid: '{u1}' },
    ]);
  });

  it('uninstall leaves a websocket password the user changed since install', () => {
    const f = setup(30);
    install(opts(f).o);
    const cfg = JSON.parse(readFileSync(f.files.ws, 'utf8'));
    cfg.server_password = 'chosen-by-user';
    writeFileSync(f.files.ws, JSON.stringify(cfg, null, 2));
    const u = uopts(f);
    uninstall(u.o);
    expect(JSON.parse(readFileSync(f.files.ws, 'utf8'))).toMatchObject({
      server_enabled: false,
      server_password: 'chosen-by-user',
    });
    expect(u.out()).toContain('server_password changed since install: left as it is now');
  });

  it('uninstall without a manifest removes our dock and script by name', () => {
    const f = setup(29);
    install(opts(f).o);
    rmSync(f.helperDir, { recursive: true, force: true });
    const u = uopts(f);
    expect(uninstall(u.o)).toBe(0);
    expect(u.out()).toContain('No install record');
    expect(readDocks(readFileSync(f.files.global, 'utf8')).docks.map((d) => d.title)).toEqual(['Chat "Main"']);
    expect(readScripts(readFileSync(f.files.scenes, 'utf8')).scripts.map((s) => s.path)).toEqual([
      '/home/u/obs-scripts/clock.lua',
    ]);
  });

  it('explains a missing or never-started OBS config', () => {
    const f = setup(29);
    rmSync(f.files.global);
    expect(() => install(opts(f).o)).toThrow(/OBS config not found: .*global\.ini does not exist\. Start OBS once/);
    const g = setup(29);
    rmSync(g.files.scenes);
    expect(() => install(opts(g).o)).toThrow(/scene collection file .* does not exist/);
    const h = setup(29);
    expect(() => install(opts(h, { obsVersion: '31' }).o)).toThrow(/user\.ini.*does not exist yet/);
  });

  it('--obs-version 29 on a folder with user.ini writes the dock to global.ini', () => {
    const f = setup(31);
    writeFileSync(f.files.global, readFileSync(f.files.global, 'utf8') + '\n[Basic]\nSceneCollectionFile=My_Scenes\n');
    install(opts(f, { obsVersion: '29' }).o);
    expect(readDocks(readFileSync(f.files.global, 'utf8')).docks.map((d) => d.title)).toEqual(['ARTC Ingest']);
  });

  it('keeps Windows-style CRLF line endings and a BOM', () => {
    const f = setup(29);
    const crlf = '\uFEFF' + readFileSync(f.files.global, 'utf8').replace(/\n/g, '\r\n');
    writeFileSync(f.files.global, crlf);
    install(opts(f).o);
    const text = readFileSync(f.files.global, 'utf8');
    expect(text.startsWith('\uFEFF[General]\r\n')).toBe(true);
    expect(text.split('\r\n').join('')).not.toContain('\n');
    uninstall(uopts(f).o);
    expect(readFileSync(f.files.global, 'utf8')).toBe(crlf);
  });
});
