/** File writes for install/uninstall: atomic (temp file + rename in the same folder), keeping the file's mode. */
import { chmodSync, copyFileSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function readBytes(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}

export function writeAtomic(path: string, data: Buffer | string): void {
  const mode = modeOf(path) ?? 0o600;
  const tmp = join(dirname(path), `.${basename(path)}.artc-ingest.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Copies `path` to `backup` with the same mode (the INI may hold the websocket password). */
export function backupFile(path: string, backup: string): void {
  copyFileSync(path, backup);
  chmodSync(backup, modeOf(path) ?? 0o600);
}
