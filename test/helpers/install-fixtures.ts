/**
 * Temporary OBS config folders laid out like OBS 29, 30 (30.2+: websocket in plugin_config) and 31 (user.ini),
 * with the kind of content OBS itself writes (libobs INI without blank-line quirks, 4-space scene collection JSON).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export type ObsGen = 29 | 30 | 31;

const USER_SECTIONS = `[Basic]
Profile=Untitled
ProfileDir=Untitled
SceneCollection=My Scenes
SceneCollectionFile=My_Scenes
ConfigOnNewProfile=true

[BasicWindow]
gridMode=false
geometry=AdnQywADAAAAAAAAAAAAFwAAB38AAAQ3
ExtraBrowserDocks=[{"title": "Chat \\\\"Main\\\\"", "url": "https://example.com/chat?room=a", "uuid": "{5f0c7c59-6b8e-4a51-a0a5-0b5ad5a3d1a2}"}]
`;

const WS_INI = `
[OBSWebSocket]
FirstLoad=false
ServerEnabled=false
ServerPort=4455
AlertsEnabled=false
AuthRequired=true
`;

function globalIni(gen: ObsGen): string {
  const general = `[General]
Pre19Defaults=false
Pre21Defaults=false
FirstRun=true
LastVersion=${gen === 29 ? 486539266 : gen === 30 ? 503447552 : 520093696}
`;
  if (gen === 31) return `${general}\n[Video]\nRenderer=OpenGL\n`;
  return `${general}\n${USER_SECTIONS}${gen === 29 ? WS_INI : ''}`;
}

function sceneCollection(): string {
  const doc = {
    current_scene: 'Scene',
    current_program_scene: 'Scene',
    scene_order: [{ name: 'Scene' }],
    name: 'My Scenes',
    sources: [{ id: 'scene', name: 'Scene', settings: { items: [] }, volume: 1.0 }],
    modules: {
      'scripts-tool': [{ path: '/home/u/obs-scripts/clock.lua', settings: { format: '%H:%M' } }],
      'output-timer': { streamTimerHours: 0 },
    },
  };
  return JSON.stringify(doc, null, 4);
}

export interface Fixture {
  root: string;
  obsDir: string;
  helperDir: string;
  /** the files OBS keeps for this generation, absolute */
  files: { global: string; docks: string; scenes: string; ws: string };
}

export function makeObsConfig(gen: ObsGen): Fixture {
  const root = mkdtempSync(join(tmpdir(), `artc-install-${gen}-`));
  const obsDir = join(root, 'obs-studio');
  const helperDir = join(root, 'artc-ingest');
  mkdirSync(join(obsDir, 'basic', 'scenes'), { recursive: true });
  mkdirSync(join(obsDir, 'basic', 'profiles', 'Untitled'), { recursive: true });
  const global = join(obsDir, 'global.ini');
  writeFileSync(global, globalIni(gen), { mode: 0o600 });
  const scenes = join(obsDir, 'basic', 'scenes', 'My_Scenes.json');
  writeFileSync(scenes, sceneCollection());
  writeFileSync(join(obsDir, 'basic', 'profiles', 'Untitled', 'basic.ini'), '[General]\nName=Untitled\n');
  let docks = global;
  let ws = global;
  if (gen === 31) {
    docks = join(obsDir, 'user.ini');
    writeFileSync(docks, `[General]\nFirstRun=true\n\n${USER_SECTIONS}`, { mode: 0o600 });
  }
  if (gen >= 30) {
    mkdirSync(join(obsDir, 'plugin_config', 'obs-websocket'), { recursive: true });
    ws = join(obsDir, 'plugin_config', 'obs-websocket', 'config.json');
    const cfg = {
      alerts_enabled: false,
      auth_required: true,
      first_load: false,
      server_enabled: false,
      server_password: '',
      server_port: 4455,
    };
    writeFileSync(ws, gen === 30 ? JSON.stringify(cfg) : JSON.stringify(cfg, null, 4) + '\n');
  }
  return { root, obsDir, helperDir, files: { global, docks, scenes, ws } };
}

/** Every file under `dir` (relative path -> bytes), to compare whole trees. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}
