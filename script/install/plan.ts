/**
 * Works out every edit install would make, without writing anything: the list of files with their text
 * before and after, the change records for the manifest, and the lines to print. `install --dry-run` prints
 * this plan; `install` applies it.
 */
import { addOurDock, maskDockUrl, DOCK_TITLE, DocksFormatError } from './browser-docks.js';
import { addOurScript, SceneCollectionFormatError } from './scene-collection.js';
import { enableWebsocket, websocketEnabled } from './websocket-config.js';
import type { ObsLayout } from './obs-layout.js';
import type { Change } from './manifest.js';
import { readBytes } from './files.js';

export interface PlanInput {
  layout: ObsLayout;
  dockUrl: string;
  scriptPath: string;
  scriptSettings: Record<string, unknown>;
  enableWebsocket: boolean;
  newPassword?: () => string;
  newUuid?: () => string;
}

export interface PlannedFile {
  path: string;
  before: Buffer;
  after: string;
  changes: Change[];
  /** what changes, for people ("+ dock ...") */
  lines: string[];
}

export interface Plan {
  files: PlannedFile[];
  /** notes that are not file changes (websocket off and not asked to enable, ...) */
  notes: string[];
  websocketOn: boolean;
}

export class PlanError extends Error {
  override name = 'PlanError';
}

type Current = (path: string) => PlannedFile;

function planDock(input: PlanInput, current: Current): void {
  const { layout } = input;
  const docks = current(layout.docksIni);
  try {
    const r = addOurDock(docks.after, input.dockUrl, input.newUuid);
    if (r.changed) {
      docks.after = r.text;
      docks.changes.push({
        kind: 'dock',
        uuid: r.uuid,
        url: input.dockUrl,
        keyExisted: r.keyExisted,
        ...(r.previous ? { previous: r.previous } : {}),
      });
      docks.lines.push(
        `${r.previous ? '~' : '+'} dock "${DOCK_TITLE}" -> ${maskDockUrl(input.dockUrl)} ([BasicWindow] ExtraBrowserDocks)`,
      );
    }
  } catch (e) {
    if (e instanceof DocksFormatError)
      throw new PlanError(
        `${layout.docksIni}: ${e.message}. Fix it in OBS (Docks > Custom Browser Docks) or remove that line, then run this again.`,
      );
    throw e;
  }
}

function planScript(input: PlanInput, current: Current): void {
  const { layout } = input;
  const scenes = current(layout.sceneCollectionFile);
  try {
    const r = addOurScript(scenes.after, input.scriptPath, input.scriptSettings);
    if (r.changed) {
      scenes.after = r.text;
      scenes.changes.push({
        kind: 'script',
        path: input.scriptPath,
        modulesExisted: r.modulesExisted,
        keyExisted: r.keyExisted,
        ...(r.previous ? { previous: r.previous } : {}),
      });
      scenes.lines.push(
        `${r.previous ? '~' : '+'} Lua script ${input.scriptPath} in scene collection "${layout.sceneCollectionName}" (modules["scripts-tool"])`,
      );
    }
  } catch (e) {
    if (e instanceof SceneCollectionFormatError)
      throw new PlanError(
        `${layout.sceneCollectionFile}: ${e.message}; open OBS once so it rewrites the scene collection, then run this again.`,
      );
    throw e;
  }
}

/** Returns whether obs-websocket is (or will be) on. */
function planWebsocket(input: PlanInput, current: Current, notes: string[]): boolean {
  const { layout } = input;
  const ws = current(layout.websocket.path);
  try {
    const websocketOn = websocketEnabled(ws.after, layout.websocket.format);
    if (!websocketOn && input.enableWebsocket) {
      const r = enableWebsocket(ws.after, layout.websocket.format, input.newPassword);
      if (r.changed) {
        ws.after = r.text;
        ws.changes.push({ kind: 'websocket', format: layout.websocket.format, keys: r.keys });
        const generated = r.keys.some((k) => /password/i.test(k.key));
        ws.lines.push(
          `+ obs-websocket: server on, authentication on${generated ? ', new generated password' : ', existing password kept'}`,
        );
      }
      return true;
    }
    if (!websocketOn) {
      notes.push(
        '! obs-websocket is off, and the dock needs it to drive OBS. Run again with --enable-websocket (turns it on with a ' +
          'generated password), or in OBS: Tools > WebSocket Server Settings > Enable WebSocket server.',
      );
    }
    return websocketOn;
  } catch (e) {
    if (e instanceof SyntaxError)
      throw new PlanError(
        `${layout.websocket.path}: not valid JSON; open OBS once so obs-websocket rewrites it, then run this again.`,
      );
    throw e;
  }
}

export function planInstall(input: PlanInput): Plan {
  const files = new Map<string, PlannedFile>();
  // each file read once, before any change: the dock, the script and obs-websocket each edit their own
  const current: Current = (path) => {
    let f = files.get(path);
    if (!f) {
      const before = readBytes(path);
      if (before === undefined) throw new PlanError(`${path} disappeared while planning`);
      f = { path, before, after: before.toString('utf8'), changes: [], lines: [] };
      files.set(path, f);
    }
    return f;
  };
  const notes: string[] = [];
  planDock(input, current);
  planScript(input, current);
  const websocketOn = planWebsocket(input, current, notes);
  const changed = [...files.values()].filter((f) => f.after !== f.before.toString('utf8'));
  return { files: changed, notes, websocketOn };
}
