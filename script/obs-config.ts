/**
 * Reading OBS's own configuration (never writing: that is `install`'s job, with backups).
 * Where things live (see docs): config root per OS; obs-websocket settings in global.ini [OBSWebSocket]
 * up to OBS 30.1, and in plugin_config/obs-websocket/config.json from obs-websocket 5.5 (OBS 30.2+).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { DEFAULT_OBS_PORT } from '../shared/obs-url.js';
import { parseIni } from './ini.js';
import { userConfigRoot, type PathEnv } from './paths.js';

export type ObsDirEnv = PathEnv;

/** OBS's config root: Linux ~/.config/obs-studio, Windows %APPDATA%\obs-studio, macOS ~/Library/Application Support/obs-studio. */
export function obsConfigDir(p: ObsDirEnv = {}): string {
  return (p.env ?? process.env).OBS_CONFIG_DIR || join(userConfigRoot(p), 'obs-studio');
}

export interface ObsWebsocketSettings {
  url: string;
  port: number;
  password?: string | undefined;
  serverEnabled: boolean;
  authRequired: boolean;
  /** the file it was read from */
  source: string;
}

const PluginConfig = z.object({
  server_enabled: z.optional(z.boolean()),
  server_port: z.optional(z.number()),
  auth_required: z.optional(z.boolean()),
  server_password: z.optional(z.string()),
});

function tryRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const bool = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v === 'true' || v === '1');

/** The newer JSON file wins when present (OBS 30.2+ migrates the INI values into it). */
export function readObsWebsocket(
  dir: string = obsConfigDir(),
  read: (p: string) => string | undefined = tryRead,
): ObsWebsocketSettings | null {
  const jsonPath = join(dir, 'plugin_config', 'obs-websocket', 'config.json');
  const jsonText = read(jsonPath);
  if (jsonText !== undefined) {
    try {
      const c = PluginConfig.safeParse(JSON.parse(jsonText));
      if (c.success) {
        const port = c.data.server_port ?? DEFAULT_OBS_PORT;
        return {
          url: `ws://127.0.0.1:${port}`,
          port,
          password: c.data.server_password || undefined,
          serverEnabled: c.data.server_enabled ?? false,
          authRequired: c.data.auth_required ?? true,
          source: jsonPath,
        };
      }
    } catch {
      // unreadable JSON: fall back to global.ini
    }
  }
  const iniPath = join(dir, 'global.ini');
  const iniText = read(iniPath);
  if (iniText === undefined) return null;
  const ws = parseIni(iniText).get('OBSWebSocket');
  if (!ws) return null;
  const port = Number(ws.get('ServerPort') ?? DEFAULT_OBS_PORT) || DEFAULT_OBS_PORT;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    password: ws.get('ServerPassword') || undefined,
    serverEnabled: bool(ws.get('ServerEnabled'), false),
    authRequired: bool(ws.get('AuthRequired'), true),
    source: iniPath,
  };
}
