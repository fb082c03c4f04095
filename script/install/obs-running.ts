/**
 * Is OBS running on this config folder? install/uninstall refuse while it is: OBS rewrites global.ini/user.ini
 * and the scene collection when it exits, which would silently undo the edit.
 *   Linux: /proc/<pid>/comm is "obs" (also the Flatpak). When its environment is readable we work out which
 *          config folder that OBS uses (XDG_CONFIG_HOME or HOME/.config, + obs-studio) and only an OBS on
 *          *this* folder blocks; an OBS whose folder we cannot tell (other user, --portable) blocks too.
 *   macOS: `ps -axo pid=,comm=` (the app's binary is .../OBS.app/Contents/MacOS/OBS).
 *   Windows: `tasklist /FO CSV /NH` (obs64.exe, obs32.exe, obs.exe).
 * On macOS and Windows any running OBS blocks (no cheap way to read another process's environment).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export interface RunningObs {
  pid: number;
  name: string;
  /** the OBS config folder that process uses, when it could be told */
  configDir?: string | undefined;
}

export type FindRunningObs = () => RunningObs[];

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** An OBS process's config folder from its environment and arguments (undefined: cannot tell). */
export function obsDirFromProcess(environ: string | undefined, cmdline: string | undefined): string | undefined {
  if (environ === undefined) return undefined;
  const args = (cmdline ?? '').split('\0');
  if (args.includes('--portable') || args.includes('-p')) return undefined;
  const env = new Map<string, string>();
  for (const kv of environ.split('\0')) {
    const eq = kv.indexOf('=');
    if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const xdg = env.get('XDG_CONFIG_HOME');
  const home = env.get('HOME');
  if (xdg) return join(xdg, 'obs-studio');
  return home ? join(home, '.config', 'obs-studio') : undefined;
}

/** The real uid from /proc/<pid>/status ("Uid:\t1000\t1000\t..."), or undefined. */
export function procUid(status: string | undefined): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(status ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * `myUid`: an OBS of another user keeps its config in that user's home, so it is skipped (its environment is not
 * readable anyway) - except for root, who may be installing into anyone's folder.
 */
export function findRunningObsLinux(procRoot = '/proc', myUid: number | undefined = process.getuid?.()): RunningObs[] {
  const out: RunningObs[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(procRoot);
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const comm = read(join(procRoot, name, 'comm'))?.trim();
    if (comm !== 'obs' && comm !== 'obs-studio') continue;
    const stat = read(join(procRoot, name, 'stat'));
    if (stat && /\) Z /.test(stat)) continue; // a zombie has exited already
    const uid = procUid(read(join(procRoot, name, 'status')));
    if (myUid !== undefined && myUid !== 0 && uid !== undefined && uid !== myUid) continue;
    const configDir = obsDirFromProcess(read(join(procRoot, name, 'environ')), read(join(procRoot, name, 'cmdline')));
    out.push({ pid: Number(name), name: comm, configDir });
  }
  return out;
}

export function parsePsOutput(text: string): RunningObs[] {
  const out: RunningObs[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const exe = basename(m[2]!);
    if (exe === 'OBS' || exe === 'obs') out.push({ pid: Number(m[1]), name: exe });
  }
  return out;
}

export function parseTasklistCsv(text: string): RunningObs[] {
  const out: RunningObs[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^"([^"]+)","(\d+)"/.exec(line);
    if (m && /^obs(64|32)?\.exe$/i.test(m[1]!)) out.push({ pid: Number(m[2]), name: m[1]! });
  }
  return out;
}

export function findRunningObs(platform: NodeJS.Platform = process.platform): RunningObs[] {
  if (platform === 'linux') return findRunningObsLinux();
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, windowsHide: true });
  if (platform === 'darwin') return parsePsOutput(run('ps', ['-axo', 'pid=,comm=']));
  if (platform === 'win32') return parseTasklistCsv(run('tasklist', ['/FO', 'CSV', '/NH']));
  return findRunningObsLinux();
}

const norm = (p: string) => resolve(p).replace(/[\\/]+$/, '');

/** The running OBS processes that may be using `configDir`. */
export function obsBlocking(running: RunningObs[], configDir: string): RunningObs[] {
  return running.filter((p) => p.configDir === undefined || norm(p.configDir) === norm(configDir));
}
