/**
 * Prepares a throwaway HOME for a headless OBS (recipe: /work/shared/reference/obs.md): global.ini with the
 * first-run wizard off and obs-websocket on, a profile "Test" (640x360 30 fps, simple output, x264 ultrafast
 * 800 kbps) and a scene collection "Test" with one empty scene.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

export interface ObsReconnectSettings {
  enabled: boolean;
  /** seconds before the first retry (OBS's RetryDelay) */
  retryDelaySec?: number;
  /** OBS's MaxRetries */
  maxRetries?: number;
}

export interface ObsHomeOptions {
  port: number;
  password: string;
  reconnect?: ObsReconnectSettings;
  /** raw ini text appended to global.ini (a repeated key later in the file wins in OBS's config parser) */
  extraGlobalIni?: string;
  /** shallow-merged over `defaultSceneCollection()`: top-level keys given here replace the default's */
  sceneCollectionJson?: object;
}

export interface ObsHomePaths {
  home: string;
  configDir: string;
  logDir: string;
  profileDir: string;
  sceneCollectionFile: string;
}

export const PROFILE = 'Test';
export const COLLECTION = 'Test';

export function obsHomePaths(home: string): ObsHomePaths {
  const configDir = join(home, '.config', 'obs-studio');
  return {
    home,
    configDir,
    logDir: join(configDir, 'logs'),
    profileDir: join(configDir, 'basic', 'profiles', PROFILE),
    sceneCollectionFile: join(configDir, 'basic', 'scenes', `${COLLECTION}.json`),
  };
}

/** obs-websocket 5.1 (OBS 28.0-30.1) reads its settings from global.ini [OBSWebSocket]. */
export function globalIni(opts: ObsHomeOptions): string {
  return [
    '[General]',
    // "FirstRun=true" means "the first run already happened": no auto-configuration wizard
    'FirstRun=true',
    'EnableAutoUpdates=false',
    'WarnBeforeStartingStream=false',
    'WarnBeforeStoppingStream=false',
    'ConfirmOnExit=false',
    '',
    '[Basic]',
    `Profile=${PROFILE}`,
    `ProfileDir=${PROFILE}`,
    `SceneCollection=${COLLECTION}`,
    `SceneCollectionFile=${COLLECTION}`,
    '',
    '[OBSWebSocket]',
    'FirstLoad=false',
    'ServerEnabled=true',
    `ServerPort=${opts.port}`,
    'AlertsEnabled=false',
    'AuthRequired=true',
    `ServerPassword=${opts.password}`,
    '',
    opts.extraGlobalIni ?? '',
    '',
  ].join('\n');
}

export function profileIni(reconnect?: ObsReconnectSettings): string {
  const lines = [
    '[General]',
    `Name=${PROFILE}`,
    '',
    '[Video]',
    'BaseCX=640',
    'BaseCY=360',
    'OutputCX=640',
    'OutputCY=360',
    'FPSType=0',
    'FPSCommon=30',
    '',
    '[Output]',
    'Mode=Simple',
  ];
  // Without `reconnect` OBS keeps its own defaults (on, 2 s, 25 tries: obs.md).
  if (reconnect) {
    lines.push(`Reconnect=${reconnect.enabled ? 'true' : 'false'}`);
    if (reconnect.retryDelaySec !== undefined) lines.push(`RetryDelay=${reconnect.retryDelaySec}`);
    if (reconnect.maxRetries !== undefined) lines.push(`MaxRetries=${reconnect.maxRetries}`);
  }
  lines.push('', '[SimpleOutput]', 'VBitrate=800', 'StreamEncoder=x264', 'Preset=ultrafast', 'ABitrate=128', '');
  return lines.join('\n');
}

/** One empty scene named "Scene"; OBS 29 loads this shape (it fills in what is missing). */
export function defaultSceneCollection(): Record<string, unknown> {
  return {
    name: COLLECTION,
    current_scene: 'Scene',
    current_program_scene: 'Scene',
    scene_order: [{ name: 'Scene' }],
    sources: [
      {
        id: 'scene',
        versioned_id: 'scene',
        name: 'Scene',
        uuid: randomUUID(),
        settings: { custom_size: false, id_counter: 0, items: [] },
        enabled: true,
        flags: 0,
        mixers: 0,
        volume: 1,
        muted: false,
        hotkeys: {},
        private_settings: {},
      },
    ],
    groups: [],
    transitions: [],
    quick_transitions: [],
    saved_projectors: [],
    current_transition: 'Fade',
    transition_duration: 300,
    modules: {},
  };
}

/**
 * Crash markers that make OBS offer safe mode at start-up: `safe_mode` (OBS 30-31), `.sentinel/run_*` (32+).
 * OBS 29 has neither (no safe mode at all), but deleting them is harmless and keeps the rig version-proof.
 */
export function removeCrashMarkers(configDir: string): void {
  rmSync(join(configDir, 'safe_mode'), { force: true });
  const sentinel = join(configDir, '.sentinel');
  let entries: string[] = [];
  try {
    entries = readdirSync(sentinel);
  } catch {
    return;
  }
  for (const name of entries) if (name.startsWith('run_')) rmSync(join(sentinel, name), { force: true });
}

export function prepareObsHome(home: string, opts: ObsHomeOptions): ObsHomePaths {
  const paths = obsHomePaths(home);
  mkdirSync(paths.profileDir, { recursive: true });
  mkdirSync(join(paths.configDir, 'basic', 'scenes'), { recursive: true });
  mkdirSync(paths.logDir, { recursive: true });
  writeFileSync(join(paths.configDir, 'global.ini'), globalIni(opts), { mode: 0o600 });
  writeFileSync(join(paths.profileDir, 'basic.ini'), profileIni(opts.reconnect));
  const collection = { ...defaultSceneCollection(), ...(opts.sceneCollectionJson ?? {}) };
  writeFileSync(paths.sceneCollectionFile, JSON.stringify(collection, null, 2));
  removeCrashMarkers(paths.configDir);
  return paths;
}
