/**
 * Which files of an OBS config folder install touches, detected from the files present:
 *   OBS 29-30: global.ini holds [Basic] (current scene collection) and [BasicWindow] ExtraBrowserDocks.
 *   OBS 31+:   user.ini holds them (global.ini keeps app-wide settings). OBS 31 creates user.ini on its first
 *              start by migrating global.ini, so "user.ini present" means 31+.
 *   obs-websocket: plugin_config/obs-websocket/config.json when present (OBS 30.2+), else global.ini [OBSWebSocket].
 * `--obs-version` overrides the guess for the docks file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIni } from '../ini.js';
import type { WebsocketFormat } from './websocket-config.js';

export interface ObsLayout {
  configDir: string;
  /** human summary, e.g. "OBS 31+ layout (user.ini)" */
  label: string;
  globalIni: string;
  /** where [BasicWindow] ExtraBrowserDocks lives */
  docksIni: string;
  /** the current scene collection's JSON file */
  sceneCollectionFile: string;
  sceneCollectionName: string;
  websocket: { format: WebsocketFormat; path: string };
}

export class ObsLayoutError extends Error {
  override name = 'ObsLayoutError';
}

/** "29", "30.2", "31.0.1" -> [major, minor]; throws on anything else. */
export function parseObsVersion(v: string): [number, number] {
  const m = /^(\d{2})(?:\.(\d+))?(?:\.\d+)*$/.exec(v.trim());
  if (!m) throw new ObsLayoutError(`--obs-version: expected a version like 29, 30.2 or 31, got "${v}"`);
  return [Number(m[1]), Number(m[2] ?? 0)];
}

function readIniFile(path: string) {
  try {
    return parseIni(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function detectObsLayout(configDir: string, obsVersion?: string): ObsLayout {
  const version = obsVersion === undefined ? undefined : parseObsVersion(obsVersion);
  const globalIni = join(configDir, 'global.ini');
  const userIni = join(configDir, 'user.ini');
  if (!existsSync(globalIni)) {
    throw new ObsLayoutError(
      `OBS config not found: ${globalIni} does not exist. Start OBS once and close it, or pass --config-dir <folder> ` +
        '(a portable OBS keeps it in config/obs-studio beside the program).',
    );
  }
  const hasUserIni = existsSync(userIni);
  const use31 = version ? version[0] >= 31 : hasUserIni;
  if (use31 && !hasUserIni) {
    throw new ObsLayoutError(
      `OBS ${obsVersion} keeps its docks in ${userIni}, which does not exist yet: start OBS once and close it, then run this again.`,
    );
  }
  const docksIni = use31 ? userIni : globalIni;
  const basic = readIniFile(docksIni)?.get('Basic') ?? readIniFile(globalIni)?.get('Basic');
  const fileStem = basic?.get('SceneCollectionFile');
  const name = basic?.get('SceneCollection') ?? fileStem;
  if (!fileStem) {
    throw new ObsLayoutError(
      `${docksIni} names no current scene collection ([Basic] SceneCollectionFile): start OBS once and close it, then run this again.`,
    );
  }
  const sceneCollectionFile = join(configDir, 'basic', 'scenes', `${fileStem}.json`);
  if (!existsSync(sceneCollectionFile)) {
    throw new ObsLayoutError(
      `The current scene collection file ${sceneCollectionFile} does not exist: start OBS once and close it, then run this again.`,
    );
  }
  const wsJson = join(configDir, 'plugin_config', 'obs-websocket', 'config.json');
  const websocket = existsSync(wsJson)
    ? { format: 'json' as const, path: wsJson }
    : { format: 'ini' as const, path: globalIni };
  const label = `${use31 ? 'OBS 31+ layout (user.ini)' : 'OBS 29-30 layout (global.ini)'}, websocket settings in ${websocket.format === 'json' ? 'plugin_config/obs-websocket/config.json' : 'global.ini'}`;
  return {
    configDir,
    label,
    globalIni,
    docksIni,
    sceneCollectionFile,
    sceneCollectionName: name ?? fileStem,
    websocket,
  };
}
