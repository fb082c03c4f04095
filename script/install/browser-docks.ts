/**
 * OBS's custom browser docks: `[BasicWindow] ExtraBrowserDocks` holds a JSON array of `{title, url, uuid}`
 * (global.ini up to OBS 30, user.ini from OBS 31). Pure text -> text edits, so install/uninstall stay testable.
 *
 * Two encodings stack up in that one line:
 *  - OBS writes the array with json11 (`Json(array).dump()`): keys sorted, `", "` and `": "` separators.
 *  - libobs' INI writer (util/config-file.c, config_save) escapes `\` as `\\`, CR as `\r`, LF as `\n`; its reader
 *    undoes them in the order `\n`, `\r`, `\\`. We mirror both, so OBS reads back exactly what we meant.
 */
import { randomUUID } from 'node:crypto';
import { parseIni, setIniValue } from '../ini.js';

export const DOCK_TITLE = 'ARTC Ingest';
export const DOCKS_SECTION = 'BasicWindow';
export const DOCKS_KEY = 'ExtraBrowserDocks';

export interface BrowserDock {
  title: string;
  url: string;
  uuid: string;
  [other: string]: unknown;
}

export class DocksFormatError extends Error {
  override name = 'DocksFormatError';
}

/** libobs config_add_item: `\n` -> LF, then `\r` -> CR, then `\\` -> `\` (same order as OBS). */
export function unescapeObsIniValue(v: string): string {
  return v.split('\\n').join('\n').split('\\r').join('\r').split('\\\\').join('\\');
}

/** libobs config_save: `\` -> `\\`, CR -> `\r`, LF -> `\n`. */
export function escapeObsIniValue(v: string): string {
  return v.split('\\').join('\\\\').split('\r').join('\\r').split('\n').join('\\n');
}

/** json11's dump: object keys sorted (std::map), `", "` between items, `": "` after keys. */
export function json11Dump(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(json11Dump).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${json11Dump((v as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export interface DocksValue {
  /** the key is present in the section */
  present: boolean;
  docks: BrowserDock[];
}

/** Reads the docks from an INI text. Throws DocksFormatError when the value is there but not a JSON array. */
export function readDocks(iniText: string): DocksValue {
  const raw = parseIni(iniText).get(DOCKS_SECTION)?.get(DOCKS_KEY);
  if (raw === undefined) return { present: false, docks: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(unescapeObsIniValue(raw));
  } catch {
    throw new DocksFormatError(`[${DOCKS_SECTION}] ${DOCKS_KEY} is not valid JSON`);
  }
  if (!Array.isArray(parsed)) throw new DocksFormatError(`[${DOCKS_SECTION}] ${DOCKS_KEY} is not a JSON array`);
  const docks = parsed.filter(
    (d): d is BrowserDock => d !== null && typeof d === 'object' && typeof (d as BrowserDock).title === 'string',
  );
  return { present: true, docks };
}

/** Sets (or with `undefined` removes) the docks value, keeping every other line of the file as it was. */
export function writeDocks(iniText: string, docks: BrowserDock[] | undefined): string {
  return setIniValue(
    iniText,
    DOCKS_SECTION,
    DOCKS_KEY,
    docks === undefined ? undefined : escapeObsIniValue(json11Dump(docks)),
  );
}

export interface AddDockResult {
  text: string;
  changed: boolean;
  /** the entry titled DOCK_TITLE before the change, when one was there (it is updated in place) */
  previous: BrowserDock | undefined;
  keyExisted: boolean;
  uuid: string;
}

/** Qt's QUuid::toString() form, which OBS uses for dock ids: lower-case with braces. */
export function newDockUuid(random: () => string = randomUUID): string {
  return `{${random()}}`;
}

/** Adds our dock, or points an existing "ARTC Ingest" dock at `url`. No change when it already is. */
export function addOurDock(iniText: string, url: string, newUuid: () => string = newDockUuid): AddDockResult {
  const { present, docks } = readDocks(iniText);
  const i = docks.findIndex((d) => d.title === DOCK_TITLE);
  const previous = i >= 0 ? docks[i] : undefined;
  if (previous && previous.url === url)
    return { text: iniText, changed: false, previous, keyExisted: present, uuid: previous.uuid };
  const uuid = previous?.uuid || newUuid();
  const entry: BrowserDock = { ...(previous ?? {}), title: DOCK_TITLE, url, uuid };
  const next = i >= 0 ? docks.map((d, j) => (j === i ? entry : d)) : [...docks, entry];
  return { text: writeDocks(iniText, next), changed: true, previous, keyExisted: present, uuid };
}

export interface RemoveDockSpec {
  uuid?: string | undefined;
  /** put this entry back where ours was (install had updated it in place) */
  previous?: BrowserDock | undefined;
  /** the key was absent before install: remove it when no dock is left */
  keyExisted: boolean;
}

/** Removes our dock (matched by uuid, else by title). Returns the text unchanged when it is not there. */
export function removeOurDock(iniText: string, spec: RemoveDockSpec): { text: string; changed: boolean } {
  const { present, docks } = readDocks(iniText);
  if (!present) return { text: iniText, changed: false };
  let i = spec.uuid ? docks.findIndex((d) => d.uuid === spec.uuid) : -1;
  if (i < 0) i = docks.findIndex((d) => d.title === DOCK_TITLE);
  if (i < 0) return { text: iniText, changed: false };
  const next = spec.previous ? docks.map((d, j) => (j === i ? spec.previous! : d)) : docks.filter((_, j) => j !== i);
  return { text: writeDocks(iniText, next.length === 0 && !spec.keyExisted ? undefined : next), changed: true };
}

/** `http://127.0.0.1:4466/?token=…` with the token hidden, for printing. */
export function maskDockUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/, '$1<hidden>');
}
