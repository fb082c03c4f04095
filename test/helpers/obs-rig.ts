/**
 * Starts a real OBS Studio headless (xvfb-run) for integration and e2e tests, and always stops it.
 *
 *   const obs = await startObs();          // HOME prepared, websocket on a free port, Identify succeeded
 *   ... new OBSWebSocket().connect(obs.url, obs.password) ...
 *   await obs.stop();                      // SIGTERM to the obs process itself, SIGKILL after a grace period
 *   // OBS restarting (keepHome: true on the first launch): the same HOME, port and password, as OBS left them
 *   const again = await startObs({ home: obs.home, port: obs.port, password: obs.password });
 *
 * The signal goes to `obs`, found among the xvfb-run wrapper's children: a signal to the wrapper does not reach
 * OBS (obs.md). Only processes this rig started are ever signalled, by PID.
 *
 * Seen with OBS 29.0.2 here: no safe mode and no crash marker at all (a SIGKILLed OBS restarts without a prompt);
 * unknown flags such as --disable-shutdown-check are ignored silently (only logged under "Command Line
 * Arguments"); the websocket accepts Identify 0.5-1.5 s after launch; obs-websocket 5.1 has no bind-address
 * setting and listens on all interfaces (a random port and a random password are our only protection).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  obsHomePaths,
  prepareObsHome,
  removeCrashMarkers,
  type ObsHomePaths,
  type ObsReconnectSettings,
} from './obs-home.js';
import { waitForWebsocket } from './obs-ready.js';
import { freePort } from './ports.js';
import { childrenOf, isAlive, signal, sleep, terminate, waitForExit } from './proc-tree.js';
import { obsArgs, obsVersion } from './obs-availability.js';

export { describeObsSkip, obsArgs, obsAvailable, obsVersion } from './obs-availability.js';
export { defaultSceneCollection } from './obs-home.js';
// test/e2e imports it from here
export { freePort } from './ports.js';

export interface StartObsOptions {
  /** websocket password; random when omitted */
  password?: string;
  /** websocket port; a free 127.0.0.1 port when omitted */
  port?: number;
  /** OBS's own auto-reconnect ([Output] Reconnect/RetryDelay/MaxRetries); OBS defaults when omitted */
  reconnect?: ObsReconnectSettings;
  /** raw ini appended to global.ini */
  extraGlobalIni?: string;
  /** shallow-merged over the default scene collection (e.g. `{ modules: { 'scripts-tool': [...] } }`) */
  sceneCollectionJson?: object;
  /** extra environment for OBS (HOME and XDG_CONFIG_HOME are the rig's) */
  env?: Record<string, string>;
  /** launch deadline: websocket accepting and Identify succeeding (default 45 s) */
  timeoutMs?: number;
  /** more OBS arguments after the rig's own (e.g. '--verbose') */
  extraArgs?: string[];
  /**
   * Relaunch on this existing HOME as the previous OBS left it (profile, stream settings, scene collection):
   * not prepared again, never removed by stop() (the caller owns it). Needs the same `port` and `password`.
   */
  home?: string;
  /** stop() leaves HOME in place, for a relaunch with `home`; the caller removes it */
  keepHome?: boolean;
}

export interface ObsHandle {
  url: string;
  password: string;
  port: number;
  home: string;
  configDir: string;
  logDir: string;
  /** PID of the obs process itself (not the xvfb-run wrapper) */
  pid: number;
  /** PIDs of the wrapper and the X server, for leak checks */
  wrapperPid: number;
  xvfbPid: number | undefined;
  /** the OBS version the rig detected, e.g. [29, 0, 2] */
  version: readonly number[];
  /** how long launch -> Identify succeeded took */
  startupMs: number;
  /** the newest OBS log file's text ('' before OBS wrote one); still answers after stop() */
  readLog(): string;
  /** OBS's stdout+stderr (Qt warnings land here, not in the log) */
  readStdout(): string;
  /** SIGTERM by default; SIGINT shuts OBS down cleanly (scripts unload, profiler summary). Idempotent. */
  stop(signal?: 'SIGTERM' | 'SIGINT'): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 45_000;
const STOP_GRACE_MS = 10_000;

export async function startObs(opts: StartObsOptions = {}): Promise<ObsHandle> {
  const t0 = Date.now();
  const deadline = t0 + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  if (opts.home !== undefined && (opts.port === undefined || opts.password === undefined))
    throw new Error('startObs: a relaunch on `home` needs its `port` and `password`');
  const port = opts.port ?? (await freePort());
  // never a leading '-': `run --obs-password -x…` would read as an option (parseArgs refuses it as ambiguous)
  const password = opts.password ?? `pw${randomBytes(12).toString('base64url')}`;
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'obs-rig-'));
  const keepHome = opts.home !== undefined || opts.keepHome === true;
  const paths =
    opts.home !== undefined
      ? relaunchPaths(opts.home)
      : prepareObsHome(home, {
          port,
          password,
          reconnect: opts.reconnect,
          extraGlobalIni: opts.extraGlobalIni,
          sceneCollectionJson: opts.sceneCollectionJson,
        });
  const version = obsVersion();
  const stdoutFile = join(home, 'obs-stdout.log');
  const out = openSync(stdoutFile, 'a');
  // `-n` before `-a`: xvfb-run searches a free display from there; a random start makes concurrent rigs collide less
  const display = String(100 + Math.floor(Math.random() * 900));
  const wrapper = spawn(
    'xvfb-run',
    ['-n', display, '-a', '-s', '-screen 0 1280x720x24', 'obs', ...obsArgs(version), ...(opts.extraArgs ?? [])],
    {
      cwd: home,
      env: obsEnv(home, opts.env),
      stdio: ['ignore', out, out],
    },
  );
  closeSync(out);
  const wrapperPid = wrapper.pid;
  if (wrapperPid === undefined) throw new Error('xvfb-run did not start');
  let exited = false;
  wrapper.once('exit', () => (exited = true));
  const tracked = track([wrapperPid]);

  let lastLog = '';
  const readLog = () => (lastLog = newestLog(paths.logDir) ?? lastLog);
  const readStdout = () => readText(stdoutFile);
  let pid: number | undefined;
  let xvfbPid: number | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (sig: 'SIGTERM' | 'SIGINT' = 'SIGTERM') =>
    (stopping ??= (async () => {
      pid ??= findChild(wrapperPid, 'obs');
      xvfbPid ??= findChild(wrapperPid, 'Xvfb');
      if (pid !== undefined) await terminate(pid, sig, STOP_GRACE_MS);
      if (!exited && !(await waitForWrapper(wrapper, () => exited, 5_000)))
        await terminate(wrapperPid, 'SIGTERM', 2_000);
      if (xvfbPid !== undefined) await terminate(xvfbPid, 'SIGTERM', 3_000);
      readLog();
      untrack(tracked);
      if (!keepHome) rmSync(home, { recursive: true, force: true });
    })());

  try {
    while (pid === undefined || xvfbPid === undefined) {
      if (exited) throw new Error(`xvfb-run exited before OBS started:\n${tail(readStdout())}`);
      if (Date.now() > deadline) throw new Error('OBS did not start before the deadline');
      pid ??= findChild(wrapperPid, 'obs');
      xvfbPid ??= findChild(wrapperPid, 'Xvfb');
      await sleep(50);
    }
    tracked.push(pid, xvfbPid);
    await waitForWebsocket(
      port,
      password,
      deadline,
      () => exited || !isAlive(pid!),
      () => tail(readLog() || readStdout()),
    );
  } catch (err) {
    await stop('SIGTERM');
    // which processes were started, so a test can check none is left
    throw Object.assign(err as Error, {
      rigPids: [wrapperPid, pid, xvfbPid].filter((p): p is number => p !== undefined),
    });
  }
  const obsPid = pid;
  return {
    url: `ws://127.0.0.1:${port}`,
    password,
    port,
    ...paths,
    pid: obsPid,
    wrapperPid,
    xvfbPid,
    version,
    startupMs: Date.now() - t0,
    readLog,
    readStdout,
    stop,
  };
}

/** An existing HOME for a relaunch: only the crash markers go (obs.md), everything else stays as OBS left it. */
function relaunchPaths(home: string): ObsHomePaths {
  const paths = obsHomePaths(home);
  removeCrashMarkers(paths.configDir);
  return paths;
}

function obsEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
  // xvfb-run sets DISPLAY; a Wayland session variable would make Qt look for the wrong server
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  env.QT_QPA_PLATFORM = 'xcb';
  return env;
}

function findChild(ppid: number, comm: string): number | undefined {
  return childrenOf(ppid).find((p) => p.comm === comm && p.state !== 'Z')?.pid;
}

async function waitForWrapper(child: ChildProcess, done: () => boolean, timeoutMs: number): Promise<boolean> {
  if (done()) return true;
  await Promise.race([new Promise((r) => child.once('exit', r)), sleep(timeoutMs)]);
  return done() || (child.pid !== undefined && (await waitForExit(child.pid, 100)));
}

function newestLog(logDir: string): string | undefined {
  let files: string[];
  try {
    files = readdirSync(logDir).filter((f) => f.endsWith('.txt'));
  } catch {
    return undefined;
  }
  const newest = files
    .map((f) => ({ f, t: statSync(join(logDir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t || b.f.localeCompare(a.f))[0];
  return newest ? readText(join(logDir, newest.f)) : undefined;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

// Safety net: if the test process exits with an OBS still up (a crash, a missing afterAll), kill what we started.
const live = new Set<number[]>();
function track(pids: number[]): number[] {
  live.add(pids);
  return pids;
}
function untrack(pids: number[]): void {
  live.delete(pids);
}
process.once('exit', () => {
  for (const pids of live) for (const p of pids) if (isAlive(p)) signal(p, 'SIGKILL');
});
