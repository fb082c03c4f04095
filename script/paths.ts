/** Where the helper keeps its own files (token, settings, sandbox state, intent). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

export interface PathEnv {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

export function configDir({ env = process.env, platform = process.platform, home = homedir() }: PathEnv = {}): string {
  if (env.ARTC_INGEST_HOME) return env.ARTC_INGEST_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'artc-ingest');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'artc-ingest');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'artc-ingest');
}

/** Creates the folder (0700: it holds a token and maybe sandbox credentials) and returns a file path in it. */
export function configFile(name: string, p: PathEnv = {}): string {
  const dir = configDir(p);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, name);
}
