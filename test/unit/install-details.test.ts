/**
 * install details, one case each: websocket off or already set, a new port, files OBS rewrote, an existing dock, no
 * manifest, a missing config, --obs-version, CRLF and BOM.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { install } from '../../script/install/install.js';
import { uninstall } from '../../script/install/uninstall.js';
import { readDocks } from '../../script/install/browser-docks.js';
import { readScripts } from '../../script/install/scene-collection.js';
import { parseIni } from '../../script/ini.js';
import { snapshot } from '../helpers/install-fixtures.js';
import { TOKEN, cleanupInstallFixtures, opts, setup, uopts } from '../helpers/install-options.js';

afterEach(cleanupInstallFixtures);

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
