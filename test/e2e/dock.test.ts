/**
 * The dock end to end, as a new user meets it, in the browser engines OBS embeds (Chromium 103, OBS 28-30) and
 * Debian's current Chromium: `serve --sandbox` (built CLI, a temp HOME with no AccessKey) serves the dock; the
 * helper cannot read OBS's config (another profile, a portable OBS), so nothing is prefilled but its default
 * URL. The test types the seven fields by their accessible names, clicks Go live once, and a real OBS 29 streams
 * into the sandbox ingest with the publisher in the channel; Stop stops OBS. Checked from outside the browser
 * (our own obs-websocket session, `participants --sandbox`), plus: a wrong URL then the right one (no attempt
 * to the old one after the edit), a wrong password (auth failed by the field, no stream, no loop), no secret in
 * any response, built file or localStorage, no horizontal scroll at 300 px, no console or page error, the CSP,
 * zh-CN, a helper restart under an open dock, and the dock opening before the helper. Saves docs/screenshot.png
 * (the README's) from Debian's Chromium. Needs `npm run build` first (`npm test` does it).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JsonOBSWebSocket from 'obs-websocket-js/json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObsClient, type StreamStateChanged } from '../../shared/obs-client.js';
import { DEFAULT_OBS_URL } from '../../shared/obs-url.js';
import { assertBuilt, cleanEnv, runCli } from '../helpers/cli.js';
import { ENGINES, type DockPage, type Engine } from '../helpers/dock-browser.js';
import { describeObsSkip, freePort, startObs, type ObsHandle } from '../helpers/obs-rig.js';
import { spawnCli, type Spawned } from '../helpers/spawned.js';
import { EventLog, waitFor } from '../helpers/wait-for.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCK_DIR = join(ROOT, 'dist/dock');
// the README's picture is refreshed on demand (ARTC_UPDATE_SCREENSHOT=1 npm test), so a test run leaves the tree clean
const SCREENSHOT = process.env.ARTC_UPDATE_SCREENSHOT === '1' ? join(ROOT, 'docs/screenshot.png') : join(ROOT, 'test-results/dock-live.png');
const say = (line: string) => console.log(`[e2e dock] ${line}`);

const CHANNEL = { appId: 'demoApp', channelId: 'room-e2e', userId: 'obs-dock', displayName: 'Studio A', expireTime: '3600' };
const STARTED = 'OBS_WEBSOCKET_OUTPUT_STARTED';
const STOPPED = 'OBS_WEBSOCKET_OUTPUT_STOPPED';
const isCi = () => !['', 'false', '0'].includes((process.env.CI ?? '').trim().toLowerCase());

/** OBS via the rig's own skip rule; each engine the same way: skipped on a dev machine without it, a failure in CI. */
function describeEngine(engine: Engine, fn: () => void): void {
  const name = `the dock in ${engine.name}, served by \`serve --sandbox\`, driving a real OBS 29`;
  if (engine.available()) return describeObsSkip(name, fn);
  if (isCi()) {
    describe(name, () => it(`needs ${engine.name}`, () => { throw new Error(`${engine.missing}; CI is set, so this suite fails instead of skipping`); }));
    return;
  }
  console.warn(`[e2e dock] skipping "${name}": ${engine.missing}`);
  describe.skip(name, fn);
}

interface SandboxFile { accessKeySecret: string; controlToken?: string }

/**
 * Chromium itself logs a console error for every WebSocket that cannot connect: expected here only for the URLs
 * the test made unreachable on purpose (the default port where no OBS listens, the "wrong" port). Anything else
 * in the console is a failure.
 */
function unexpected(errors: readonly string[], unreachable: readonly string[]): string[] {
  return errors.filter((e) => !unreachable.some((u) => e.includes(`WebSocket connection to '${u}/' failed`) || e.includes(`WebSocket connection to '${u}' failed`)));
}

/**
 * A negative check needs a window: "nothing happened" holds only for as long as it was watched. Each use says
 * what would have happened within it.
 */
function observe(ms: number, _what: string): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port that counts connection attempts and drops each one: an "OBS" that is not there. */
async function countingPort(): Promise<{ url: string; attempts: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((socket) => {
    n += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `ws://127.0.0.1:${port}`, attempts: () => n, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let obs: ObsHandle | undefined;
const obsClient = new ObsClient({ createSocket: () => new JsonOBSWebSocket(), callTimeoutMs: 5_000, connectTimeoutMs: 10_000 });
const obsEvents = new EventLog<StreamStateChanged>();
obsClient.on('StreamStateChanged', (e) => obsEvents.push(e));
const serves: Spawned[] = [];
const roots: string[] = [];

beforeAll(async () => {
  if (!ENGINES.some((e) => e.available())) return;
  assertBuilt();
  // OBS's own auto-reconnect off: nothing here drops, and a drop must not be hidden by a silent retry
  obs = await startObs({ reconnect: { enabled: false } });
  await obsClient.connect(obs.url, obs.password);
}, 60_000);

afterAll(async () => {
  for (const s of serves) await s.stop('SIGTERM', 5_000); // only the serves this file started, by their handles
  await obsClient.disconnect();
  await obs?.stop();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
}, 30_000);

/** A temp HOME with no credentials anywhere, and an empty OBS config folder: the helper has nothing to prefill. */
function freshEnv(): NodeJS.ProcessEnv {
  const root = mkdtempSync(join(tmpdir(), 'artc-e2e-dock-'));
  roots.push(root);
  const home = join(root, 'home');
  mkdirSync(home);
  mkdirSync(join(root, 'no-obs-config'));
  return cleanEnv(home, { OBS_CONFIG_DIR: join(root, 'no-obs-config') });
}

async function startServe(port: number, env: NodeJS.ProcessEnv): Promise<{ serve: Spawned; dockUrl: string }> {
  const serve = spawnCli(['serve', '--sandbox', '--port', String(port)], env);
  serves.push(serve);
  const dockUrl = await serve.waitForLine((l) => /^Dock URL: (\S+)/.exec(l)?.[1], 'the Dock URL line', 15_000);
  return { serve, dockUrl };
}

async function waitAttr(page: DockPage, selector: string, attr: string, want: readonly string[], what: string, timeoutMs = 10_000): Promise<string> {
  return waitFor(async () => {
    const v = await page.attr(selector, attr);
    return v !== null && want.includes(v) && v;
  }, { what, timeoutMs, intervalMs: 50 });
}

const PILL = '[data-status]';
const STATE = '[role="status"] [data-state]';

async function participants(env: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await runCli(['participants', '--sandbox', '--app-id', CHANNEL.appId, '--channel-id', CHANNEL.channelId, '--json'], env);
  if (r.code !== 0) throw new Error(`participants --sandbox exited ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { users: string[] }).users;
}

async function stopAndConfirm(page: DockPage, env: NodeJS.ProcessEnv): Promise<void> {
  obsEvents.mark();
  const tStop = Date.now();
  await page.click('Stop');
  await obsEvents.next((e) => e.outputState === STOPPED, { what: 'OBS STOPPED after Stop', timeoutMs: 15_000 });
  // seen once: GetStreamStatus still said outputActive right after the STOPPED event (libobs clears `active` on
  // its end_data_capture thread, which can run after the stop signal), so poll it
  await waitFor(async () => !(await obsClient.call('GetStreamStatus')).outputActive, { what: 'OBS output inactive', timeoutMs: 5_000 });
  await waitFor(async () => !(await participants(env)).includes(CHANNEL.userId), { what: 'the publisher to leave the channel', timeoutMs: 15_000, intervalMs: 200 });
  // and nothing restarted it: the dock's Stop is final
  expect(obsEvents.sinceMark().map((e) => e.outputState)).toEqual(['OBS_WEBSOCKET_OUTPUT_STOPPING', STOPPED]);
  say(`Stop click -> OBS STOPPED and the publisher gone ${Date.now() - tStop} ms`);
  await waitAttr(page, STATE, 'data-state', ['idle', 'stopped-by-user'], 'the dock to show off air');
}

for (const [index, engine] of ENGINES.entries()) {
  describeEngine(engine, () => {
    let browser: Awaited<ReturnType<Engine['launch']>> | undefined;
    const log = (line: string) => say(`${engine.name}: ${line}`);

    beforeAll(async () => {
      browser = await engine.launch();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    }, 30_000);

    /** A dock-sized page (OBS docks are narrow). */
    const dockPage = () => browser!.newPage({ width: 300 });

    it('typed by label with nothing prefilled, one click on Go live is live in the channel; Stop; no secret leaks; zh-CN; 300 px', async () => {
      const env = freshEnv();
      const { serve, dockUrl } = await startServe(await freePort(), env);
      expect(dockUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/);
      const helperToken = new URL(dockUrl).searchParams.get('token')!;
      const sandbox = JSON.parse(readFileSync(join(env.ARTC_INGEST_HOME!, 'sandbox.json'), 'utf8')) as SandboxFile;
      const secrets = { 'AccessKey secret': sandbox.accessKeySecret, 'control token': sandbox.controlToken };
      expect(sandbox.accessKeySecret.length).toBeGreaterThan(10);
      expect(sandbox.controlToken?.length ?? 0).toBeGreaterThan(10);

      const page = await dockPage();
      // every body the page received: the document, assets, /api/* JSON
      const bodies: Array<Promise<{ url: string; text: string }>> = [];
      const unread: string[] = [];
      page.onResponse((url, body) => bodies.push(body.then((text) => ({ url, text }), (e: Error) => (unread.push(`${url}: ${e.message}`), { url, text: '' }))));

      const doc = await page.goto(dockUrl);
      expect(doc.status).toBe(200);
      const csp = doc.headers['content-security-policy'] ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      await page.waitFor('[role="status"]', 'attached', 10_000);
      // the token was in the URL once; the dock strips it from the address bar
      expect(page.url()).not.toContain('token');
      expect(page.url()).not.toContain(helperToken);

      // nothing prefilled: the default URL (no OBS there) and no password
      await waitFor(async () => (await page.value('OBS WebSocket URL')) === DEFAULT_OBS_URL, { what: 'the default OBS URL', timeoutMs: 10_000 });
      expect(await page.value('OBS WebSocket password')).toBe('');
      for (const f of ['App ID', 'Channel ID', 'User ID', 'Display name']) expect(await page.value(f), f).toBe('');
      expect(obs!.port).not.toBe(4455); // else the default URL would reach the rig's OBS by chance

      await page.type('App ID', CHANNEL.appId);
      await page.type('Channel ID', CHANNEL.channelId);
      await page.type('User ID', CHANNEL.userId);
      await page.type('Display name', CHANNEL.displayName);
      await page.type('Expire time', CHANNEL.expireTime);
      await page.type('OBS WebSocket URL', obs!.url);
      await page.type('OBS WebSocket password', obs!.password);

      obsEvents.mark();
      const tClick = Date.now();
      await page.click('Go live');
      const started = await obsEvents.next((e) => e.outputState === STARTED || e.outputState === STOPPED, { what: 'OBS STARTED', timeoutMs: 20_000 });
      expect(started.event.outputState).toBe(STARTED);
      await waitFor(async () => (await page.attr(STATE, 'data-state')) === 'live' && (await page.count('[role="status"] .presence-present')) === 1, { what: 'the status region to show live and present', timeoutMs: 20_000, intervalMs: 50 });
      log(`Go live click -> OBS STARTED ${started.at - tClick} ms -> dock shows live + present ${Date.now() - tClick} ms`);
      expect(await page.attr(PILL, 'data-status')).toBe('connected');

      // from outside the browser: OBS streams, and another process lists the publisher in the sandbox channel
      expect((await obsClient.call('GetStreamStatus')).outputActive).toBe(true);
      expect(await participants(env)).toEqual([CHANNEL.userId]);
      // the stream key on screen is masked (its auth_key token is the ingest credential)
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
      expect(await page.text('[data-testid="stream-key"]')).not.toMatch(/auth_key=\d+-\w+-\w+-[0-9a-f]{32}/);
      expect(await page.text('[data-testid="url-expiry"]')).toMatch(/^(1:00:00|59:[0-5]\d)$/); // 3600 s

      const overflow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(overflow.scroll, 'horizontal scroll at 300 px').toBeLessThanOrEqual(overflow.client);
      if (index === 0) {
        // the README's screenshot: live, with OBS's numbers in (bitrate needs two stats samples), full page, English
        await waitFor(async () => /\d/.test(await page.evaluate(() => [...document.querySelectorAll('[role="status"] dt')].find((d) => d.textContent === 'Bitrate')?.nextElementSibling?.textContent ?? '')), { what: 'the bitrate to show', timeoutMs: 10_000 });
        await page.screenshot(SCREENSHOT);
        log(`screenshot saved (${statSync(SCREENSHOT).size} B)`);
      }

      // zh-CN: the labels follow the language switch (its strings are fetched on demand), and back
      await page.click('中文');
      await waitFor(async () => (await page.countTextbox('应用 ID')) === 1, { what: 'the zh-CN labels', timeoutMs: 10_000 });
      expect(await page.countTextbox('App ID')).toBe(0);
      expect(await page.text('[role="status"] [data-state]')).toBe('直播中');
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), 'no horizontal scroll in zh-CN').toBe(true);
      // CJK may break between any two characters: the password's Show (显示) must not be squeezed into a column
      const heights = await page.evaluate(() => [...document.querySelectorAll('.obs-connection button')].map((b) => [b.textContent, b.getBoundingClientRect().height] as const));
      const show = heights.find(([t]) => t === '显示')?.[1];
      const connect = heights.find(([t]) => t === '连接')?.[1];
      expect(show !== undefined && connect !== undefined && Math.abs(show - connect) < 2, `Show and Connect buttons are one line each: ${JSON.stringify(heights)}`).toBe(true);
      await page.click('EN');
      await waitFor(async () => (await page.countTextbox('App ID')) === 1, { what: 'the English labels', timeoutMs: 10_000 });

      await stopAndConfirm(page, env);

      // secrets: in no response the page received, no built file, not in localStorage
      const received = await Promise.all(bodies);
      expect(unread.filter((u) => !/redirect|preflight/i.test(u)), 'response bodies that could not be read (so not checked)').toEqual([]);
      expect(received.some((b) => b.url.includes('/api/'))).toBe(true);
      expect(received.some((b) => /\/assets\/.+\.js$/.test(b.url))).toBe(true);
      const built = listFiles(DOCK_DIR).map((f) => ({ url: f, text: readFileSync(f, 'latin1') }));
      const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }));
      for (const [what, secret] of Object.entries(secrets)) {
        for (const b of [...received, ...built]) expect(b.text.includes(secret!), `${what} in ${b.url}`).toBe(false);
        expect(storage.includes(secret!), `${what} in localStorage`).toBe(false);
      }
      // the helper token is kept in localStorage by design (reloads), but no response echoes it
      for (const b of received) expect(b.text.includes(helperToken), `helper token in ${b.url}`).toBe(false);

      expect(unexpected(page.errors, [DEFAULT_OBS_URL])).toEqual([]);
      await page.close();
      expect(await serve.stop('SIGTERM', 10_000)).toBe(0);
    }, 90_000);

    it('a wrong URL then the right one: no attempt to the old URL after the edit; a wrong password: auth failed, no stream, no loop', async () => {
      const env = freshEnv();
      const { serve, dockUrl } = await startServe(await freePort(), env);
      const wrong = await countingPort();
      try {
        const page = await dockPage();
        await page.goto(dockUrl);
        await page.type('App ID', CHANNEL.appId);
        await page.type('Channel ID', CHANNEL.channelId);
        await page.type('User ID', CHANNEL.userId);
        await page.type('Display name', CHANNEL.displayName);
        await page.type('OBS WebSocket password', obs!.password);
        await page.type('OBS WebSocket URL', wrong.url);
        // typing pauses: the dock tries it, then the one reconnect loop retries it with a countdown
        await waitFor(() => wrong.attempts() >= 2, { what: 'two attempts at the wrong URL', timeoutMs: 20_000, intervalMs: 50 });
        expect(await page.attr(PILL, 'data-status')).toBe('unreachable');
        expect(await page.text('.obs-connection')).toMatch(/Next try in \d+ s\./);

        const before = wrong.attempts();
        await page.type('OBS WebSocket URL', obs!.url);
        await waitAttr(page, PILL, 'data-status', ['connected'], 'the dock to connect to the typed URL once typing pauses', 15_000);
        await observe(11_000, "longer than the reconnect backoff's cap (10 s): a second loop, or a retry aimed at the old value, would show");
        expect(wrong.attempts(), 'attempts at the old URL after the edit').toBe(before);
        log(`wrong URL: ${before} attempts before the edit, none after`);

        // a wrong password (typed while connected: the live session stays until Go live asks for the new values):
        // OBS refuses it (4009); Go live keeps the intent but never streams and never loops
        obsEvents.mark();
        await page.type('OBS WebSocket password', 'not-the-password');
        await page.click('Go live');
        await waitAttr(page, PILL, 'data-status', ['auth-failed'], 'OBS to refuse the wrong password', 15_000);
        expect(await page.attr('#obs-password', 'aria-invalid')).toBe('true');
        expect(await page.attr('#obs-password', 'aria-describedby')).toBe('obs-help');
        expect(await page.text('#obs-help')).toMatch(/^Wrong password\./);
        await waitFor(async () => /Waiting for OBS/.test(await page.text('.dock')), { what: 'the dock to say it waits for OBS', timeoutMs: 10_000 });
        const state = await page.attr(STATE, 'data-state');
        await observe(3_000, 'a stream or a retry with the refused password would show within this');
        expect(obsEvents.sinceMark(), 'no stream with a refused password').toEqual([]);
        expect(await page.attr(STATE, 'data-state')).toBe(state);
        const attempts = await page.evaluate(() => document.querySelector('.obs-connection')?.textContent ?? '');
        expect(attempts).not.toMatch(/Next try in/); // 4009 is not retried with the same password
        await page.click('Stop');
        expect(unexpected(page.errors, [DEFAULT_OBS_URL, wrong.url])).toEqual([]);
        await page.close();
      } finally {
        await wrong.close();
      }
      expect(await serve.stop('SIGTERM', 10_000)).toBe(0);
    }, 90_000);

    it('shows its waiting state (not a blank panel) when the helper stops, and recovers without a reload when it is back', async () => {
      const env = freshEnv();
      const port = await freePort();
      const first = await startServe(port, env);
      const page = await dockPage();
      await page.goto(first.dockUrl);
      await page.type('OBS WebSocket URL', obs!.url);
      await page.type('OBS WebSocket password', obs!.password);
      await waitAttr(page, PILL, 'data-status', ['connected'], 'the dock to connect to OBS', 15_000);
      await page.evaluate(() => ((window as unknown as { e2eSameDocument: boolean }).e2eSameDocument = true));

      const tDown = Date.now();
      expect(await first.serve.stop('SIGTERM', 10_000)).toBe(0);
      // the dock's periodic health check (every 15 s) notices; the layout stays, with the waiting banner
      await page.waitFor('[data-testid="helper-waiting"]', 'attached', 25_000);
      log(`helper stopped -> dock shows helper-waiting ${Date.now() - tDown} ms`);
      expect(await page.text('[data-testid="helper-waiting"]')).toContain('Waiting for the artc-ingest helper');
      expect(await page.countTextbox('App ID')).toBe(1);
      expect(await page.buttonDisabled('Go live')).toBe(true);
      expect(await page.count('[role="status"]')).toBe(1);

      // the same port and HOME (so the same token): the dock finds it again on its own
      const tUp = Date.now();
      await startServe(port, env);
      await page.waitFor('[data-testid="helper-waiting"]', 'detached', 15_000);
      log(`helper restarted -> dock ready again ${Date.now() - tUp} ms`);
      expect(await page.evaluate(() => (window as unknown as { e2eSameDocument?: boolean }).e2eSameDocument)).toBe(true); // no reload
      expect(await page.buttonDisabled('Go live')).toBe(false);
      expect(await page.text('.badge')).toBe('Sandbox');

      // while the helper was down the dock's own fetches to it failed: Chromium logs each refused request
      expect(unexpected(page.errors, [DEFAULT_OBS_URL]).filter((e) => !/Failed to load resource: net::ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
      await page.close();
    }, 90_000);

    it('opens (waiting, not an error page) when OBS starts before the helper, and carries on when the helper comes up', async () => {
      const env = freshEnv();
      const port = await freePort();
      const first = await startServe(port, env);
      const page = await dockPage();
      // an earlier OBS session: the dock loaded once with the helper up, and its service worker kept the page
      await page.goto(first.dockUrl);
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      const again = await page.sibling();
      await page.close();
      expect(await first.serve.stop('SIGTERM', 10_000)).toBe(0);

      // the next OBS start: the dock URL (with its token, as OBS stores it) opens while no helper answers
      await again.goto(first.dockUrl);
      await again.waitFor('[data-testid="helper-waiting"]', 'attached', 10_000);
      expect(await again.countTextbox('App ID')).toBe(1);
      expect(await again.buttonDisabled('Go live')).toBe(true);

      // the OBS script starts the helper a moment later
      const tUp = Date.now();
      await startServe(port, env);
      await again.waitFor('[data-testid="helper-waiting"]', 'detached', 15_000);
      log(`helper started after the dock -> dock ready ${Date.now() - tUp} ms`);
      expect(await again.buttonDisabled('Go live')).toBe(false);
      const pageErrors = [...page.errors, ...again.errors].filter((e) => e.startsWith('pageerror'));
      expect(pageErrors).toEqual([]);
      await again.close();
    }, 90_000);
  });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? listFiles(join(dir, d.name)) : [join(dir, d.name)]));
}
