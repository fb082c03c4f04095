/**
 * The rig of the dock's end-to-end tests (test/e2e/dock.test.ts): one real OBS 29 for the file, our own
 * obs-websocket session watching its stream state, `serve --sandbox` processes on a temp HOME with no AccessKey
 * and an empty OBS config folder (nothing to prefill), and the checks the flows share. Call `installDockRig()`
 * once at the top of the test file; every process and folder it starts it also ends, by its own handle.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JsonOBSWebSocket from 'obs-websocket-js/json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObsClient, type StreamStateChanged } from '../../shared/obs-client.js';
import { assertBuilt, cleanEnv, runCli } from './cli.js';
import { ENGINES, type DockPage, type Engine } from './dock-browser.js';
import { describeObsSkip, startObs, type ObsHandle } from './obs-rig.js';
import { spawnCli, type Spawned } from './spawned.js';
import { EventLog, waitFor } from './wait-for.js';

export const say = (line: string) => console.log(`[e2e dock] ${line}`);
export const CHANNEL = {
  appId: 'demoApp',
  channelId: 'room-e2e',
  userId: 'obs-dock',
  displayName: 'Studio A',
  expireTime: '3600',
};
export const STARTED = 'OBS_WEBSOCKET_OUTPUT_STARTED';
export const STOPPED = 'OBS_WEBSOCKET_OUTPUT_STOPPED';
export const isCi = () => !['', 'false', '0'].includes((process.env.CI ?? '').trim().toLowerCase());

/** OBS via the rig's own skip rule; each engine the same way: skipped on a dev machine without it, a failure in CI. */
export function describeEngine(engine: Engine, fn: () => void): void {
  const name = `the dock in ${engine.name}, served by \`serve --sandbox\`, driving a real OBS 29`;
  if (engine.available()) return describeObsSkip(name, fn);
  if (isCi()) {
    describe(name, () =>
      it(`needs ${engine.name}`, () => {
        throw new Error(`${engine.missing}; CI is set, so this suite fails instead of skipping`);
      }),
    );
    return;
  }
  console.warn(`[e2e dock] skipping "${name}": ${engine.missing}`);
  describe.skip(name, fn);
}

export interface SandboxFile {
  accessKeySecret: string;
  controlToken?: string;
}

/**
 * Chromium itself logs a console error for every WebSocket that cannot connect: expected here only for the URLs
 * the test made unreachable on purpose (the default port where no OBS listens, the "wrong" port). Anything else
 * in the console is a failure.
 */
export function unexpected(errors: readonly string[], unreachable: readonly string[]): string[] {
  return errors.filter(
    (e) =>
      !unreachable.some(
        (u) =>
          e.includes(`WebSocket connection to '${u}/' failed`) || e.includes(`WebSocket connection to '${u}' failed`),
      ),
  );
}

/**
 * A negative check needs a window: "nothing happened" holds only for as long as it was watched. Each use says
 * what would have happened within it.
 */
export function observe(ms: number, _what: string): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port that counts connection attempts and drops each one: an "OBS" that is not there. */
export async function countingPort(): Promise<{ url: string; attempts: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((socket) => {
    n += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    attempts: () => n,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The file's OBS (set once `installDockRig`'s beforeAll ran), our session to it and its stream-state events. */
export const rig: { obs: ObsHandle | undefined; obsClient: ObsClient; obsEvents: EventLog<StreamStateChanged> } = {
  obs: undefined,
  obsClient: new ObsClient({
    createSocket: () => new JsonOBSWebSocket(),
    callTimeoutMs: 5_000,
    connectTimeoutMs: 10_000,
  }),
  obsEvents: new EventLog<StreamStateChanged>(),
};
rig.obsClient.on('StreamStateChanged', (e) => rig.obsEvents.push(e));
const serves: Spawned[] = [];
const roots: string[] = [];

export function installDockRig(): void {
  beforeAll(async () => {
    if (!ENGINES.some((e) => e.available())) return;
    assertBuilt();
    // OBS's own auto-reconnect off: nothing here drops, and a drop must not be hidden by a silent retry
    rig.obs = await startObs({ reconnect: { enabled: false } });
    await rig.obsClient.connect(rig.obs.url, rig.obs.password);
  }, 60_000);

  afterAll(async () => {
    for (const s of serves) await s.stop('SIGTERM', 5_000); // only the serves this file started, by their handles
    await rig.obsClient.disconnect();
    await rig.obs?.stop();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  }, 30_000);
}

/** A temp HOME with no credentials anywhere, and an empty OBS config folder: the helper has nothing to prefill. */
export function freshEnv(): NodeJS.ProcessEnv {
  const root = mkdtempSync(join(tmpdir(), 'artc-e2e-dock-'));
  roots.push(root);
  const home = join(root, 'home');
  mkdirSync(home);
  mkdirSync(join(root, 'no-obs-config'));
  return cleanEnv(home, { OBS_CONFIG_DIR: join(root, 'no-obs-config') });
}

export async function startServe(port: number, env: NodeJS.ProcessEnv): Promise<{ serve: Spawned; dockUrl: string }> {
  const serve = spawnCli(['serve', '--sandbox', '--port', String(port)], env);
  serves.push(serve);
  const dockUrl = await serve.waitForLine((l) => /^Dock URL: (\S+)/.exec(l)?.[1], 'the Dock URL line', 15_000);
  return { serve, dockUrl };
}

export async function waitAttr(
  page: DockPage,
  selector: string,
  attr: string,
  want: readonly string[],
  what: string,
  timeoutMs = 10_000,
): Promise<string> {
  return waitFor(
    async () => {
      const v = await page.attr(selector, attr);
      return v !== null && want.includes(v) && v;
    },
    { what, timeoutMs, intervalMs: 50 },
  );
}

export const PILL = '[data-status]';
export const STATE = '[role="status"] [data-state]';

export async function participants(env: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await runCli(
    ['participants', '--sandbox', '--app-id', CHANNEL.appId, '--channel-id', CHANNEL.channelId, '--json'],
    env,
  );
  if (r.code !== 0) throw new Error(`participants --sandbox exited ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { users: string[] }).users;
}

export async function stopAndConfirm(page: DockPage, env: NodeJS.ProcessEnv): Promise<void> {
  rig.obsEvents.mark();
  const tStop = Date.now();
  await page.click('Stop');
  await rig.obsEvents.next((e) => e.outputState === STOPPED, { what: 'OBS STOPPED after Stop', timeoutMs: 15_000 });
  // seen once: GetStreamStatus still said outputActive right after the STOPPED event (libobs clears `active` on
  // its end_data_capture thread, which can run after the stop signal), so poll it
  await waitFor(async () => !(await rig.obsClient.call('GetStreamStatus')).outputActive, {
    what: 'OBS output inactive',
    timeoutMs: 5_000,
  });
  await waitFor(async () => !(await participants(env)).includes(CHANNEL.userId), {
    what: 'the publisher to leave the channel',
    timeoutMs: 15_000,
    intervalMs: 200,
  });
  // and nothing restarted it: the dock's Stop is final
  expect(rig.obsEvents.sinceMark().map((e) => e.outputState)).toEqual(['OBS_WEBSOCKET_OUTPUT_STOPPING', STOPPED]);
  say(`Stop click -> OBS STOPPED and the publisher gone ${Date.now() - tStop} ms`);
  await waitAttr(page, STATE, 'data-state', ['idle', 'stopped-by-user'], 'the dock to show off air');
}

export interface EngineContext {
  engine: Engine;
  /** a dock-sized page (OBS docks are narrow) in this engine */
  page(): Promise<DockPage>;
  log(line: string): void;
}

/** The same cases once per engine (Debian's Chromium, then Chromium 103), each engine's browser for its cases. */
export function forEachEngine(cases: (ctx: EngineContext) => void): void {
  for (const engine of ENGINES) {
    describeEngine(engine, () => {
      let browser: Awaited<ReturnType<Engine['launch']>> | undefined;
      beforeAll(async () => {
        browser = await engine.launch();
      }, 60_000);
      afterAll(async () => {
        await browser?.close();
      }, 30_000);
      cases({ engine, page: () => browser!.newPage({ width: 300 }), log: (line) => say(`${engine.name}: ${line}`) });
    });
  }
}
