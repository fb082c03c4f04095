/** install / uninstall on an OBS 29, 30 and 31 config folder. (Single-case details: install-details.test.ts.) */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { install } from '../../script/install/install.js';
import { uninstall } from '../../script/install/uninstall.js';
import { readDocks } from '../../script/install/browser-docks.js';
import { readScripts } from '../../script/install/scene-collection.js';
import { manifestPath } from '../../script/install/manifest.js';
import { parseIni } from '../../script/ini.js';
import { snapshot } from '../helpers/install-fixtures.js';
import { TOKEN, cleanupInstallFixtures, opts, setup, uopts } from '../helpers/install-options.js';

afterEach(cleanupInstallFixtures);

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
