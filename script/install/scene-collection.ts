/**
 * Registers the Lua script in a scene collection (`basic/scenes/<file>.json`): OBS's Scripts tool (frontend-tools)
 * loads every `modules["scripts-tool"][i] = { path, settings }` when the collection loads, also headless.
 * Pure text -> text edits. The text is re-serialised with the file's own indentation and line ending (OBS writes
 * 4-space JSON); when nothing changes the text is returned untouched.
 */
import { basename } from 'node:path';

export const SCRIPTS_TOOL = 'scripts-tool';
export const LUA_FILE_NAME = 'artc-ingest.lua';

export interface ScriptEntry {
  path: string;
  settings?: Record<string, unknown>;
  [other: string]: unknown;
}

export class SceneCollectionFormatError extends Error {
  override name = 'SceneCollectionFormatError';
}

type Json = Record<string, unknown>;

function parseCollection(text: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new SceneCollectionFormatError('not valid JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new SceneCollectionFormatError('not a JSON object');
  return v as Json;
}

/** Serialises like the original: same indentation unit, same line ending, same trailing newline. */
function serialise(original: string, value: Json): string {
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)\S/.exec(original)?.[1] ?? '    ';
  const bom = original.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = JSON.stringify(value, null, indent).split('\n').join(eol);
  return bom + body + (/\r?\n$/.test(original) ? eol : '');
}

/** Windows paths are stored with forward slashes (what OBS's file dialog gives). */
export function scriptPathForObs(path: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? path.replace(/\\/g, '/') : path;
}

const samePath = (a: string, b: string) => a.replace(/\\/g, '/') === b.replace(/\\/g, '/');
const isOurs = (e: ScriptEntry) => basename(e.path.replace(/\\/g, '/')) === LUA_FILE_NAME;

export function readScripts(text: string): { modulesExisted: boolean; keyExisted: boolean; scripts: ScriptEntry[] } {
  const doc = parseCollection(text);
  const modules = doc.modules;
  const modulesExisted = modules !== null && typeof modules === 'object' && !Array.isArray(modules);
  const list = modulesExisted ? (modules as Json)[SCRIPTS_TOOL] : undefined;
  const scripts = Array.isArray(list)
    ? list.filter(
        (e): e is ScriptEntry => e !== null && typeof e === 'object' && typeof (e as ScriptEntry).path === 'string',
      )
    : [];
  return { modulesExisted, keyExisted: Array.isArray(list), scripts };
}

export interface AddScriptResult {
  text: string;
  changed: boolean;
  /** an entry for an artc-ingest.lua elsewhere (an older install), replaced by ours */
  previous: ScriptEntry | undefined;
  modulesExisted: boolean;
  keyExisted: boolean;
}

/**
 * Adds `{ path, settings }`, or updates our entry: its path, and the settings keys install manages (other
 * settings the user changed in OBS are kept). No change when everything already matches.
 */
export function addOurScript(text: string, path: string, settings: Record<string, unknown>): AddScriptResult {
  const doc = parseCollection(text);
  const { modulesExisted, keyExisted } = readScripts(text);
  const modules: Json = modulesExisted ? (doc.modules as Json) : {};
  const list: unknown[] = keyExisted ? (modules[SCRIPTS_TOOL] as unknown[]) : [];
  const i = list.findIndex(
    (e) =>
      e !== null && typeof e === 'object' && typeof (e as ScriptEntry).path === 'string' && isOurs(e as ScriptEntry),
  );
  const previous = i >= 0 ? (list[i] as ScriptEntry) : undefined;
  const mergedSettings = { ...(previous?.settings ?? {}), ...settings };
  const entry: ScriptEntry = { ...(previous ?? {}), path, settings: mergedSettings };
  const unchanged =
    previous !== undefined &&
    previous.path === path &&
    JSON.stringify(previous.settings ?? {}) === JSON.stringify(mergedSettings);
  if (unchanged) return { text, changed: false, previous, modulesExisted, keyExisted };
  if (i >= 0) list[i] = entry;
  else list.push(entry);
  modules[SCRIPTS_TOOL] = list;
  doc.modules = modules;
  return { text: serialise(text, doc), changed: true, previous, modulesExisted, keyExisted };
}

export interface RemoveScriptSpec {
  path?: string | undefined;
  previous?: ScriptEntry | undefined;
  modulesExisted: boolean;
  keyExisted: boolean;
}

/** Removes our entry (by path, else any artc-ingest.lua), restoring `previous` in its place when given. */
export function removeOurScript(text: string, spec: RemoveScriptSpec): { text: string; changed: boolean } {
  const doc = parseCollection(text);
  const { modulesExisted, keyExisted } = readScripts(text);
  if (!keyExisted) return { text, changed: false };
  const modules = doc.modules as Json;
  const list = modules[SCRIPTS_TOOL] as unknown[];
  const isEntry = (e: unknown): e is ScriptEntry =>
    e !== null && typeof e === 'object' && typeof (e as ScriptEntry).path === 'string';
  let i = spec.path ? list.findIndex((e) => isEntry(e) && samePath(e.path, spec.path!)) : -1;
  if (i < 0) i = list.findIndex((e) => isEntry(e) && isOurs(e));
  if (i < 0) return { text, changed: false };
  if (spec.previous) list[i] = spec.previous;
  else list.splice(i, 1);
  if (list.length === 0 && !spec.keyExisted) delete modules[SCRIPTS_TOOL];
  if (Object.keys(modules).length === 0 && !spec.modulesExisted && modulesExisted) delete doc.modules;
  return { text: serialise(text, doc), changed: true };
}
