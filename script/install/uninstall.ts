/**
 * `artc-ingest uninstall`: undoes what install recorded in its manifest. A file nobody touched since install
 * gets its backup back byte for byte; a file that changed since (OBS rewrites global.ini and the scene collection
 * whenever it runs) loses only our entries, and the output says so. Without a manifest (the helper's config folder
 * was deleted) it still removes an "ARTC Ingest" dock and an artc-ingest.lua script entry, and leaves
 * obs-websocket alone.
 */
import { rmSync } from 'node:fs';
import { removeOurDock } from './browser-docks.js';
import { removeOurScript } from './scene-collection.js';
import { restoreWebsocket } from './websocket-config.js';
import { detectObsLayout } from './obs-layout.js';
import type { FindRunningObs } from './obs-running.js';
import { manifestPath, readManifest, removeManifest, sha256Bytes, type Change, type FileRecord } from './manifest.js';
import { readBytes, writeAtomic } from './files.js';
import { obsRunningMessage } from './install.js';

export interface UninstallOptions {
  obsConfigDir: string;
  helperDir: string;
  obsVersion?: string | undefined;
  dryRun: boolean;
  findRunningObs: FindRunningObs;
  out: (text: string) => void;
}

interface Outcome {
  /** new bytes to write, or undefined to leave the file */
  write?: Buffer | string | undefined;
  lines: string[];
  removeBackup: boolean;
}

export function uninstall(o: UninstallOptions): number {
  const running = obsRunningMessage(o.findRunningObs, o.obsConfigDir, 'uninstall');
  if (running && !o.dryRun) {
    o.out(`✖ ${running}\n`);
    return 1;
  }
  if (running) o.out(`! ${running}\n`);
  const mPath = manifestPath(o.helperDir, o.obsConfigDir);
  const manifest = readManifest(mPath);
  const records: FileRecord[] = manifest?.files ?? withoutManifest(o);
  if (!manifest)
    o.out(
      `No install record for ${o.obsConfigDir} in ${o.helperDir}: removing any "ARTC Ingest" dock and artc-ingest.lua script entry (no backup to restore; obs-websocket left as it is).\n`,
    );
  const verb = o.dryRun ? 'Dry run: would change' : 'Changed';
  let any = false;
  for (const r of records) {
    const outcome = undo(r);
    if (outcome.write === undefined && outcome.lines.length === 0) continue;
    if (!any) o.out(`${verb}:\n`);
    any = true;
    o.out(`  ${r.path}\n${outcome.lines.map((l) => `    ${l}\n`).join('')}`);
    if (o.dryRun) continue;
    if (outcome.write !== undefined) writeAtomic(r.path, outcome.write);
    if (outcome.removeBackup && r.backup) rmSync(r.backup, { force: true });
  }
  if (!any) o.out('Nothing to undo: artc-ingest is not installed in this OBS config.\n');
  if (!o.dryRun) removeManifest(mPath);
  if (o.dryRun) o.out('(dry run: nothing was written)\n');
  return 0;
}

/** The records uninstall would have had, for a config folder whose manifest is gone: match by title and file name. */
function withoutManifest(o: UninstallOptions): FileRecord[] {
  const layout = detectObsLayout(o.obsConfigDir, o.obsVersion);
  const rec = (path: string, changes: Change[]): FileRecord => ({
    path,
    existed: true,
    beforeSha256: '',
    afterSha256: '',
    changes,
  });
  return [
    rec(layout.docksIni, [{ kind: 'dock', uuid: '', url: '', keyExisted: true }]),
    rec(layout.sceneCollectionFile, [{ kind: 'script', path: '', modulesExisted: true, keyExisted: true }]),
  ];
}

function undo(r: FileRecord): Outcome {
  const current = readBytes(r.path);
  if (current === undefined) return { lines: ['gone: nothing to restore'], removeBackup: false };
  const sha = sha256Bytes(current);
  if (r.beforeSha256 && sha === r.beforeSha256)
    return { lines: ['unchanged since before install: nothing to undo'], removeBackup: true };
  if (r.backup && sha === r.afterSha256) {
    const backup = readBytes(r.backup);
    if (backup && sha256Bytes(backup) === r.beforeSha256)
      return { write: backup, lines: ['restored byte for byte from the backup'], removeBackup: true };
  }
  let text = current.toString('utf8');
  const lines: string[] = [];
  for (const c of r.changes) {
    const res = removeChange(text, c);
    text = res.text;
    lines.push(...res.lines);
  }
  if (text === current.toString('utf8')) return { lines: [], removeBackup: false };
  const changedSince =
    r.afterSha256 !== ''
      ? ["changed since install (OBS rewrites it when it runs): removed only artc-ingest's entries"]
      : [];
  const keep = r.backup ? [`the copy from before install stays at ${r.backup}`] : [];
  return { write: text, lines: [...changedSince, ...lines, ...keep], removeBackup: false };
}

function removeChange(text: string, c: Change): { text: string; lines: string[] } {
  if (c.kind === 'dock') {
    const r = removeOurDock(text, { uuid: c.uuid || undefined, previous: c.previous, keyExisted: c.keyExisted });
    return {
      text: r.text,
      lines: r.changed ? [c.previous ? '~ dock "ARTC Ingest" put back as it was' : '- dock "ARTC Ingest"'] : [],
    };
  }
  if (c.kind === 'script') {
    const r = removeOurScript(text, {
      path: c.path || undefined,
      previous: c.previous,
      modulesExisted: c.modulesExisted,
      keyExisted: c.keyExisted,
    });
    return {
      text: r.text,
      lines: r.changed
        ? [c.previous ? `~ Lua script entry put back to ${c.previous.path}` : '- Lua script artc-ingest.lua']
        : [],
    };
  }
  const r = restoreWebsocket(
    text,
    c.format,
    c.keys.map((k) => ({ key: k.key, before: k.before, afterSha256: k.afterSha256 })),
  );
  const lines = r.changed ? ['~ obs-websocket settings put back as they were'] : [];
  if (r.keptKeys.length)
    lines.push(`! obs-websocket ${r.keptKeys.join(', ')} changed since install: left as it is now`);
  return { text: r.text, lines };
}
