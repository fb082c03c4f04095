/** The built dock (dist/dock, from `npm run build`), for the tests that read it. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOCK_ASSETS = fileURLToPath(new URL('../../dist/dock/assets/', import.meta.url));

/** The built assets ending in `ext`, as paths; a missing build is an error that says so. */
export function dockAssets(ext: string): string[] {
  if (!existsSync(DOCK_ASSETS)) throw new Error(`${DOCK_ASSETS} is missing: run npm run build`);
  const files = readdirSync(DOCK_ASSETS)
    .filter((f) => f.endsWith(ext))
    .map((f) => join(DOCK_ASSETS, f));
  if (files.length === 0) throw new Error(`no ${ext} file in ${DOCK_ASSETS}: run npm run build`);
  return files;
}
