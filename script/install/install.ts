/**
 * `artc-ingest install`: adds the "ARTC Ingest" browser dock and the Lua script to OBS's config, and (with
 * consent) turns obs-websocket on. OBS must be closed: it rewrites these files when it exits.
 * Idempotent (a second run changes nothing), a backup `<file>.artc-ingest.bak` of every file before its first
 * change, and a manifest of what changed so `uninstall` undoes exactly that.
 */
import { loadOrCreateToken, peekToken } from '../server/token-store.js';
import { detectObsLayout, type ObsLayout } from './obs-layout.js';
import { obsBlocking, type FindRunningObs } from './obs-running.js';
import { planInstall, type PlannedFile } from './plan.js';
import {
  BACKUP_SUFFIX,
  manifestPath,
  readManifest,
  sha256Bytes,
  writeManifest,
  type Change,
  type FileRecord,
  type Manifest,
} from './manifest.js';
import { backupFile, readBytes, writeAtomic } from './files.js';
import { scriptPathForObs } from './scene-collection.js';

export interface InstallOptions {
  obsConfigDir: string;
  /** the helper's own config folder (token, manifest) */
  helperDir: string;
  obsVersion?: string | undefined;
  port: number;
  sandbox: boolean;
  nodePath: string;
  helperPath: string;
  scriptPath: string;
  enableWebsocket: boolean;
  dryRun: boolean;
  findRunningObs: FindRunningObs;
  out: (text: string) => void;
  platform?: NodeJS.Platform;
  now?: () => number;
  newPassword?: () => string;
  newUuid?: () => string;
  loadToken?: (helperDir: string) => string;
}

export function dockUrl(port: number, token: string): string {
  return `http://127.0.0.1:${port}/?token=${token}`;
}

/** Refuses (exit 1) while an OBS that may use this config folder runs. Returns the message, or null. */
export function obsRunningMessage(find: FindRunningObs, obsConfigDir: string, verb: string): string | null {
  const blocking = obsBlocking(find(), obsConfigDir);
  if (blocking.length === 0) return null;
  const pids = blocking.map((p) => `${p.name} pid ${p.pid}`).join(', ');
  return `OBS Studio is running (${pids}). Close OBS first, then run \`artc-ingest ${verb}\` again: OBS rewrites its config when it exits and would undo the change.`;
}

export function install(o: InstallOptions): number {
  const running = obsRunningMessage(o.findRunningObs, o.obsConfigDir, 'install');
  if (running && !o.dryRun) {
    o.out(`✖ ${running}\n`);
    return 1;
  }
  const layout = detectObsLayout(o.obsConfigDir, o.obsVersion);
  const token = o.dryRun ? (peekToken(o.helperDir) ?? 'NEW-TOKEN') : (o.loadToken ?? loadOrCreateToken)(o.helperDir);
  const platform = o.platform ?? process.platform;
  const scriptPath = scriptPathForObs(o.scriptPath, platform);
  const plan = planInstall({
    layout,
    dockUrl: dockUrl(o.port, token),
    scriptPath,
    scriptSettings: {
      helper_path: o.helperPath,
      node_path: o.nodePath,
      port: o.port,
      sandbox: o.sandbox,
      config_dir: o.helperDir,
    },
    enableWebsocket: o.enableWebsocket,
    ...(o.newPassword ? { newPassword: o.newPassword } : {}),
    ...(o.newUuid ? { newUuid: o.newUuid } : {}),
  });
  o.out(`OBS config: ${o.obsConfigDir} (${layout.label})\n`);

  if (o.dryRun) {
    if (running) o.out(`! ${running}\n`);
    if (plan.files.length === 0) o.out('Dry run: already installed, nothing would change.\n');
    else o.out('Dry run: would change these files (nothing was written):\n' + describe(plan.files));
    if (peekToken(o.helperDir) === undefined) o.out(`  (a new helper token would be created in ${o.helperDir})\n`);
    for (const n of plan.notes) o.out(n + '\n');
    return 0;
  }

  if (plan.files.length === 0) {
    o.out('Already installed: nothing to change.\n');
  } else {
    apply(o, layout, plan.files, scriptPath);
    o.out(
      `Changed (a backup of each file's earlier content is beside it as *${BACKUP_SUFFIX}):\n` + describe(plan.files),
    );
  }
  for (const n of plan.notes) o.out(n + '\n');
  o.out(nextSteps(o.port, platform));
  return 0;
}

function describe(files: PlannedFile[]): string {
  return files.map((f) => `  ${f.path}\n${f.lines.map((l) => `    ${l}\n`).join('')}`).join('');
}

function nextSteps(port: number, platform: NodeJS.Platform): string {
  return [
    '',
    'Next: start OBS. The Lua script (Tools > Scripts) starts the helper on port ' + port + ' and stops it with OBS;',
    'the dock is under Docks > "ARTC Ingest".' +
      (platform === 'linux'
        ? " (Builds without obs-browser, e.g. Debian's, have no browser docks: open the URL from Tools > Scripts in a browser.)"
        : ''),
    'Check everything with `artc-ingest doctor`; undo with `artc-ingest uninstall`.',
    '',
  ].join('\n');
}

/** Backups first, then the manifest, then the files: a crash at any point leaves something uninstall can undo. */
function apply(o: InstallOptions, layout: ObsLayout, files: PlannedFile[], scriptPath: string): void {
  const mPath = manifestPath(o.helperDir, o.obsConfigDir);
  const old = readManifest(mPath);
  const records = new Map<string, FileRecord>((old?.files ?? []).map((r) => [r.path, r]));
  for (const f of files) {
    const prior = records.get(f.path);
    const beforeSha = sha256Bytes(f.before);
    if (!prior) {
      const backup = f.path + BACKUP_SUFFIX;
      backupFile(f.path, backup);
      records.set(f.path, {
        path: f.path,
        existed: true,
        beforeSha256: beforeSha,
        afterSha256: sha256Bytes(f.after),
        backup,
        changes: f.changes,
      });
      continue;
    }
    // The file changed since our last install (OBS rewrote it, or the user): the backup no longer matches
    // "the file minus our entries", so uninstall must remove entries instead of restoring bytes.
    const backup = prior.afterSha256 === beforeSha ? prior.backup : undefined;
    records.set(f.path, {
      ...prior,
      afterSha256: sha256Bytes(f.after),
      ...(backup ? { backup } : { backup: undefined }),
      changes: mergeChanges(prior.changes, f.changes),
    });
  }
  const manifest: Manifest = {
    version: 1,
    obsConfigDir: o.obsConfigDir,
    layout: layout.label,
    installedAt: new Date((o.now ?? Date.now)()).toISOString(),
    scriptPath,
    dockUrlPort: o.port,
    files: [...records.values()].map((r) => (r.backup === undefined ? omitBackup(r) : r)),
  };
  writeManifest(mPath, manifest);
  for (const f of files) {
    // the plan read the file a moment ago; refuse to clobber a concurrent edit
    const now = readBytes(f.path);
    if (!now || !now.equals(f.before))
      throw new Error(`${f.path} changed while installing; nothing more was written. Run install again.`);
    writeAtomic(f.path, f.after);
  }
}

function omitBackup(r: FileRecord): FileRecord {
  const { backup: _drop, ...rest } = r;
  return rest;
}

/** Keeps the first install's record of how things were; adds what is new. */
export function mergeChanges(prior: Change[], next: Change[]): Change[] {
  const out = [...prior];
  for (const c of next) {
    const i = out.findIndex((p) => p.kind === c.kind);
    if (i < 0) {
      out.push(c);
      continue;
    }
    const p = out[i]!;
    if (p.kind === 'dock' && c.kind === 'dock') out[i] = { ...p, url: c.url };
    else if (p.kind === 'script' && c.kind === 'script') out[i] = { ...p, path: c.path };
    else if (p.kind === 'websocket' && c.kind === 'websocket') {
      // a key set again keeps its first `before` and takes the new value's hash
      const keys = p.keys.map((k) => ({
        ...k,
        afterSha256: c.keys.find((n) => n.key === k.key)?.afterSha256 ?? k.afterSha256,
      }));
      out[i] = { ...p, keys: [...keys, ...c.keys.filter((k) => !p.keys.some((q) => q.key === k.key))] };
    }
  }
  return out;
}
