/**
 * Where the files install points OBS at live. From the built package, `dist/artc-ingest.mjs` runs and
 * `dist/artc-ingest.lua` sits beside it; from a source checkout (tests, `npx vitest`), the script is
 * `script/obs/artc-ingest.lua` and the helper `dist/artc-ingest.mjs` once built.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LUA_FILE_NAME } from './scene-collection.js';

export const HELPER_FILE_NAME = 'artc-ingest.mjs';

export interface Assets {
  scriptPath: string;
  helperPath: string;
}

/** `here`: the folder of the running module (dist/ when bundled, script/install/ in the source tree). */
export function locateAssets(
  here: string = dirname(fileURLToPath(import.meta.url)),
  exists: (p: string) => boolean = existsSync,
): Assets {
  const first = (candidates: string[]) => candidates.map((c) => resolve(c)).find(exists);
  const scriptPath = first([
    join(here, LUA_FILE_NAME),
    join(here, '..', 'script', 'obs', LUA_FILE_NAME),
    join(here, '..', 'obs', LUA_FILE_NAME),
  ]);
  const helperPath = first([
    join(here, HELPER_FILE_NAME),
    join(here, '..', '..', 'dist', HELPER_FILE_NAME),
    join(here, '..', 'dist', HELPER_FILE_NAME),
  ]);
  if (!scriptPath)
    throw new Error(
      `${LUA_FILE_NAME} not found beside ${here}: reinstall artc-ingest (or run \`npm run build\` in a checkout)`,
    );
  if (!helperPath) throw new Error(`${HELPER_FILE_NAME} not found near ${here}: run \`npm run build\` first`);
  return { scriptPath, helperPath };
}
