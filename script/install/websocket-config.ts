/**
 * Turns obs-websocket on (only with the user's consent: `install --enable-websocket`), and undoes it.
 *   OBS 28.0-30.1 (obs-websocket 5.0-5.4): global.ini [OBSWebSocket] ServerEnabled / AuthRequired / ServerPassword.
 *   OBS 30.2+ (obs-websocket 5.5+): plugin_config/obs-websocket/config.json server_enabled / auth_required /
 *   server_password. 5.5 also migrates [OBSWebSocket] values from global.ini when it finds them, so when config.json
 *   does not exist yet the INI is the right place for every version.
 * A password already configured is kept (other tools may use it); one is generated only when there is none.
 * Pure text -> text; `before` records the prior raw values so uninstall can put them back.
 */
import { createHash, randomInt } from 'node:crypto';
import { parseIni, setIniValue } from '../ini.js';

export type WebsocketFormat = 'ini' | 'json';
export const WS_SECTION = 'OBSWebSocket';

/** key -> prior value (undefined: the key was absent) and the SHA-256 of the value install set. */
export interface WebsocketKeyChange {
  key: string;
  before: string | boolean | undefined;
  afterSha256: string;
}

export interface EnableResult {
  text: string;
  changed: boolean;
  /** the server was already on: nothing to do */
  alreadyOn: boolean;
  keys: WebsocketKeyChange[];
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 20 characters of [A-Za-z0-9] (about 119 bits), like obs-websocket's own generator but longer. */
export function generatePassword(rand: (max: number) => number = randomInt): string {
  let out = '';
  for (let i = 0; i < 20; i++) out += ALPHABET[rand(ALPHABET.length)];
  return out;
}

export const sha256 = (v: string | boolean) => createHash('sha256').update(String(v)).digest('hex');

const truthy = (v: string | undefined) =>
  v !== undefined && (v.toLowerCase() === 'true' || (/^\d+$/.test(v) && Number(v) !== 0));

export function websocketEnabled(text: string, format: WebsocketFormat): boolean {
  if (format === 'ini') return truthy(parseIni(text).get(WS_SECTION)?.get('ServerEnabled'));
  try {
    return (JSON.parse(text) as { server_enabled?: unknown }).server_enabled === true;
  } catch {
    return false;
  }
}

export function enableWebsocket(
  text: string,
  format: WebsocketFormat,
  newPassword: () => string = generatePassword,
): EnableResult {
  if (websocketEnabled(text, format)) return { text, changed: false, alreadyOn: true, keys: [] };
  return format === 'ini' ? enableIni(text, newPassword) : enableJson(text, newPassword);
}

function enableIni(text: string, newPassword: () => string): EnableResult {
  const ws = parseIni(text).get(WS_SECTION);
  const password = ws?.get('ServerPassword') || newPassword();
  const want: [string, string][] = [
    ['ServerEnabled', 'true'],
    ['AuthRequired', 'true'],
    ['ServerPassword', password],
  ];
  let out = text;
  const keys: WebsocketKeyChange[] = [];
  for (const [key, value] of want) {
    const before = ws?.get(key);
    if (before === value) continue;
    out = setIniValue(out, WS_SECTION, key, value);
    keys.push({ key, before, afterSha256: sha256(value) });
  }
  return { text: out, changed: keys.length > 0, alreadyOn: false, keys };
}

function jsonEol(text: string) {
  return {
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    indent: /\n([ \t]+)\S/.exec(text)?.[1] ?? '    ',
    trailing: /\r?\n$/.test(text),
  };
}

function serialiseJson(original: string, value: unknown): string {
  const { eol, indent, trailing } = jsonEol(original);
  return JSON.stringify(value, null, indent).split('\n').join(eol) + (trailing ? eol : '');
}

function enableJson(text: string, newPassword: () => string): EnableResult {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const password = typeof doc.server_password === 'string' && doc.server_password ? doc.server_password : newPassword();
  const want: [string, string | boolean][] = [
    ['server_enabled', true],
    ['auth_required', true],
    ['server_password', password],
  ];
  const keys: WebsocketKeyChange[] = [];
  for (const [key, value] of want) {
    const before = doc[key] as string | boolean | undefined;
    if (before === value) continue;
    doc[key] = value;
    keys.push({ key, before, afterSha256: sha256(value) });
  }
  return { text: keys.length ? serialiseJson(text, doc) : text, changed: keys.length > 0, alreadyOn: false, keys };
}

/**
 * Puts each key back to its prior value, but only while it still holds what install set: a password the
 * user changed in OBS since then is theirs now and is left alone. Returns the keys left alone.
 */
export function restoreWebsocket(
  text: string,
  format: WebsocketFormat,
  keys: WebsocketKeyChange[],
): { text: string; changed: boolean; keptKeys: string[] } {
  const kept: string[] = [];
  if (format === 'ini') {
    const ws = parseIni(text).get(WS_SECTION);
    let out = text;
    for (const k of keys) {
      const now = ws?.get(k.key);
      if (now === undefined || sha256(now) !== k.afterSha256) {
        kept.push(k.key);
        continue;
      }
      out = setIniValue(out, WS_SECTION, k.key, k.before === undefined ? undefined : String(k.before));
    }
    return { text: out, changed: out !== text, keptKeys: kept };
  }
  const doc = JSON.parse(text) as Record<string, unknown>;
  let changed = false;
  for (const k of keys) {
    const now = doc[k.key];
    if ((typeof now !== 'string' && typeof now !== 'boolean') || sha256(now) !== k.afterSha256) {
      kept.push(k.key);
      continue;
    }
    if (k.before === undefined) delete doc[k.key];
    else doc[k.key] = k.before;
    changed = true;
  }
  return { text: changed ? serialiseJson(text, doc) : text, changed, keptKeys: kept };
}
