/** Where the helper keeps its own files (token, settings, sandbox state, intent). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

export interface PathEnv {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** The per-user config root of this OS: %APPDATA%, ~/Library/Application Support, or $XDG_CONFIG_HOME / ~/.config. */
export function userConfigRoot({
  env = process.env,
  platform = process.platform,
  home = homedir(),
}: PathEnv = {}): string {
  if (platform === 'win32') return env.APPDATA ?? join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(home, '.config');
}

export function configDir(p: PathEnv = {}): string {
  return (p.env ?? process.env).ARTC_INGEST_HOME || join(userConfigRoot(p), 'artc-ingest');
}

/** Creates the folder (0700: it holds a token and maybe sandbox credentials) and returns a file path in it. */
export function configFile(name: string, p: PathEnv = {}): string {
  const dir = configDir(p);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, name);
}
