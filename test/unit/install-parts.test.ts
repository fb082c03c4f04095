import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addOurDock,
  escapeObsIniValue,
  json11Dump,
  maskDockUrl,
  readDocks,
  removeOurDock,
  unescapeObsIniValue,
  DocksFormatError,
} from '../../script/install/browser-docks.js';
import { addOurScript, removeOurScript, scriptPathForObs } from '../../script/install/scene-collection.js';
import { enableWebsocket, restoreWebsocket } from '../../script/install/websocket-config.js';
import {
  findRunningObsLinux,
  obsBlocking,
  obsDirFromProcess,
  parsePsOutput,
  parseTasklistCsv,
} from '../../script/install/obs-running.js';
import { parseObsVersion } from '../../script/install/obs-layout.js';
import { locateAssets } from '../../script/install/assets.js';
import { mergeChanges } from '../../script/install/install.js';

let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe('ExtraBrowserDocks encoding (json11 inside a libobs INI value)', () => {
  it('dumps like json11: keys sorted, ", " and ": "', () => {
    expect(json11Dump([{ url: 'u', uuid: '{1}', title: 'T' }])).toBe('[{"title": "T", "url": "u", "uuid": "{1}"}]');
  });
  it('escapes \\ CR LF like config_save and reads them back like config_add_item', () => {
    const v = 'a\\b "q" \r\n';
    expect(escapeObsIniValue(v)).toBe('a\\\\b "q" \\r\\n');
    expect(unescapeObsIniValue(escapeObsIniValue(v))).toBe(v);
  });
  it("a title with quotes survives a round trip through OBS's encoding", () => {
    const ini = addOurDock('[BasicWindow]\n', 'http://x/', () => '{u}').text;
    const withQuote = ini
      .replace('"ARTC Ingest"', '"ARTC Ingest"')
      .replace('[{', '[{"title": "Say \\\\"hi\\\\"", "url": "y", "uuid": "{v}"}, {');
    expect(readDocks(withQuote).docks.map((d) => d.title)).toEqual(['Say "hi"', 'ARTC Ingest']);
    const removed = removeOurDock(withQuote, { uuid: '{u}', keyExisted: true }).text;
    expect(removed).toBe(
      '[BasicWindow]\nExtraBrowserDocks=[{"title": "Say \\\\"hi\\\\"", "url": "y", "uuid": "{v}"}]\n',
    );
  });
  it('adds the key to an existing [BasicWindow] or a new section, and removes it when install added it', () => {
    const a = addOurDock('[General]\nA=1\n', 'http://127.0.0.1:4466/?token=t', () => '{u}');
    expect(a.text).toBe(
      '[General]\nA=1\n\n[BasicWindow]\nExtraBrowserDocks=[{"title": "ARTC Ingest", "url": "http://127.0.0.1:4466/?token=t", "uuid": "{u}"}]\n',
    );
    expect(a.keyExisted).toBe(false);
    expect(removeOurDock(a.text, { uuid: '{u}', keyExisted: false }).text).toBe('[General]\nA=1\n\n[BasicWindow]\n');
  });
  it('refuses a value that is not a JSON array', () => {
    expect(() => readDocks('[BasicWindow]\nExtraBrowserDocks={oops\n')).toThrow(DocksFormatError);
  });
  it('hides the token when printing', () => {
    expect(maskDockUrl('http://127.0.0.1:4466/?token=abc')).toBe('http://127.0.0.1:4466/?token=<hidden>');
  });
});

describe('scene collection', () => {
  it('keeps 2-space indentation and no trailing newline; unchanged text is returned as is', () => {
    const text = '{\n  "name": "S",\n  "modules": {}\n}';
    const r = addOurScript(text, '/a/artc-ingest.lua', { port: 1 });
    expect(r.text).toBe(
      '{\n  "name": "S",\n  "modules": {\n    "scripts-tool": [\n      {\n        "path": "/a/artc-ingest.lua",\n        "settings": {\n          "port": 1\n        }\n      }\n    ]\n  }\n}',
    );
    expect(addOurScript(r.text, '/a/artc-ingest.lua', { port: 1 })).toMatchObject({ changed: false, text: r.text });
    expect(removeOurScript(r.text, { path: '/a/artc-ingest.lua', modulesExisted: true, keyExisted: false }).text).toBe(
      text,
    );
  });
  it("replaces an artc-ingest.lua from elsewhere and keeps the user's other script settings", () => {
    const text = JSON.stringify({
      modules: { 'scripts-tool': [{ path: 'C:/old/artc-ingest.lua', settings: { sandbox: true, port: 1 } }] },
    });
    const r = addOurScript(text, '/new/artc-ingest.lua', { port: 2 });
    expect(JSON.parse(r.text).modules['scripts-tool']).toEqual([
      { path: '/new/artc-ingest.lua', settings: { sandbox: true, port: 2 } },
    ]);
    expect(r.previous?.path).toBe('C:/old/artc-ingest.lua');
  });
  it('stores Windows paths with forward slashes', () => {
    expect(scriptPathForObs('C:\\Program Files\\artc\\artc-ingest.lua', 'win32')).toBe(
      'C:/Program Files/artc/artc-ingest.lua',
    );
  });
});

describe('obs-websocket settings', () => {
  it('INI: turns it on with a generated password and restores exactly', () => {
    const text = '[OBSWebSocket]\nFirstLoad=false\nServerEnabled=false\nServerPort=4455\n';
    const r = enableWebsocket(text, 'ini', () => 'pw');
    expect(r.text).toBe(
      '[OBSWebSocket]\nFirstLoad=false\nServerEnabled=true\nServerPort=4455\nAuthRequired=true\nServerPassword=pw\n',
    );
    expect(restoreWebsocket(r.text, 'ini', r.keys).text).toBe(text);
  });
  it('already on: nothing to do', () => {
    expect(enableWebsocket('{"server_enabled": true}', 'json')).toMatchObject({ changed: false, alreadyOn: true });
  });
});

describe('finding a running OBS', () => {
  it('reads /proc: comm "obs", its config folder from the environment, zombies and others skipped', () => {
    tmp = mkdtempSync(join(tmpdir(), 'artc-proc-'));
    const proc = (pid: number, comm: string, environ: string, state = 'S', cmdline = 'obs\0', uid = 1000) => {
      mkdirSync(join(tmp!, String(pid)));
      writeFileSync(join(tmp!, String(pid), 'comm'), comm + '\n');
      writeFileSync(join(tmp!, String(pid), 'stat'), `${pid} (${comm}) ${state} 1 1`);
      writeFileSync(join(tmp!, String(pid), 'environ'), environ);
      writeFileSync(join(tmp!, String(pid), 'cmdline'), cmdline);
      writeFileSync(join(tmp!, String(pid), 'status'), `Name:\t${comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
    };
    proc(10, 'obs', 'HOME=/home/a\0LANG=C\0');
    proc(11, 'obs', 'HOME=/home/b\0XDG_CONFIG_HOME=/x/cfg\0');
    proc(12, 'obs', 'HOME=/home/c\0', 'Z');
    proc(13, 'node', 'HOME=/home/a\0');
    proc(14, 'obs', 'HOME=/home/d\0', 'S', 'obs\0--portable\0');
    proc(15, 'obs', '', 'S', 'obs\0', 1001); // another user's OBS
    mkdirSync(join(tmp, 'self'));
    const found = findRunningObsLinux(tmp, 1000).sort((a, b) => a.pid - b.pid);
    expect(found).toEqual([
      { pid: 10, name: 'obs', configDir: '/home/a/.config/obs-studio' },
      { pid: 11, name: 'obs', configDir: '/x/cfg/obs-studio' },
      { pid: 14, name: 'obs', configDir: undefined },
    ]);
    expect(obsBlocking(found, '/home/a/.config/obs-studio/').map((p) => p.pid)).toEqual([10, 14]);
    expect(obsBlocking(found.slice(0, 2), '/elsewhere').map((p) => p.pid)).toEqual([]);
    // root sees every user's OBS; one whose folder it cannot tell blocks
    expect(
      findRunningObsLinux(tmp, 0)
        .map((p) => p.pid)
        .sort(),
    ).toEqual([10, 11, 14, 15]);
  });
  it('an unreadable environment means "cannot tell"', () => {
    expect(obsDirFromProcess(undefined, 'obs\0')).toBeUndefined();
  });
  it('parses macOS ps and Windows tasklist output', () => {
    expect(
      parsePsOutput('  1 /sbin/launchd\n 812 /Applications/OBS.app/Contents/MacOS/OBS\n 900 /usr/bin/obsidian\n'),
    ).toEqual([{ pid: 812, name: 'OBS' }]);
    expect(
      parseTasklistCsv(
        '"System","4","Services","0","144 K"\r\n"obs64.exe","5120","Console","1","312,000 K"\r\n"obsidian.exe","1","Console","1","1 K"\r\n',
      ),
    ).toEqual([{ pid: 5120, name: 'obs64.exe' }]);
  });
});

describe('odds and ends', () => {
  it('--obs-version accepts 29, 30.2, 31.0.1 and rejects the rest', () => {
    expect(parseObsVersion('29')).toEqual([29, 0]);
    expect(parseObsVersion('30.2')).toEqual([30, 2]);
    expect(parseObsVersion('31.0.1')).toEqual([31, 0]);
    expect(() => parseObsVersion('latest')).toThrow(/--obs-version/);
  });
  it('finds the Lua script and helper beside the bundle, or in a checkout', () => {
    const files = new Set([
      '/pkg/dist/artc-ingest.lua',
      '/pkg/dist/artc-ingest.mjs',
      '/repo/script/obs/artc-ingest.lua',
      '/repo/dist/artc-ingest.mjs',
    ]);
    expect(locateAssets('/pkg/dist', (p) => files.has(p))).toEqual({
      scriptPath: '/pkg/dist/artc-ingest.lua',
      helperPath: '/pkg/dist/artc-ingest.mjs',
    });
    expect(locateAssets('/repo/script/install', (p) => files.has(p))).toEqual({
      scriptPath: '/repo/script/obs/artc-ingest.lua',
      helperPath: '/repo/dist/artc-ingest.mjs',
    });
    expect(() => locateAssets('/nowhere', () => false)).toThrow(/artc-ingest\.lua not found/);
  });
  it('a later install keeps the first record of how things were', () => {
    const merged = mergeChanges(
      [
        { kind: 'dock', uuid: '{u}', url: 'old', keyExisted: false },
        { kind: 'websocket', format: 'ini', keys: [{ key: 'ServerEnabled', before: 'false', afterSha256: 'a' }] },
      ],
      [
        { kind: 'dock', uuid: '{u}', url: 'new', keyExisted: true },
        {
          kind: 'websocket',
          format: 'ini',
          keys: [
            { key: 'ServerEnabled', before: 'true', afterSha256: 'b' },
            { key: 'X', before: undefined, afterSha256: 'c' },
          ],
        },
      ],
    );
    expect(merged).toEqual([
      { kind: 'dock', uuid: '{u}', url: 'new', keyExisted: false },
      {
        kind: 'websocket',
        format: 'ini',
        keys: [
          { key: 'ServerEnabled', before: 'false', afterSha256: 'b' },
          { key: 'X', before: undefined, afterSha256: 'c' },
        ],
      },
    ]);
  });
});
