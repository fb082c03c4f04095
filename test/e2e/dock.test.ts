/**
 * The dock end to end, as a user meets it: `serve --sandbox` (built CLI, a temp HOME with no AccessKey) serves the
 * dock; Debian's headless Chromium opens it at dock width, fills the channel by the contract's accessible names and
 * clicks Go live; a real OBS 29 streams into the sandbox ingest and the publisher appears in the channel; Stop stops
 * OBS. Checked from outside the browser (our own obs-websocket session, `participants --sandbox`), plus: no secret in
 * any response, built file or localStorage; no horizontal scroll at 300 px; no console errors; the CSP header; zh-CN.
 * Saves docs/screenshot.png (the README's). A second test stops and restarts the helper under an open dock.
 * Needs `npm run build` first (`npm test` does it).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JsonOBSWebSocket from 'obs-websocket-js/json';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObsClient, type StreamStateChanged } from '../../shared/obs-client.js';
import { chromiumAvailable, CHROMIUM, launchChromium } from '../helpers/browser.js';
import { assertBuilt, cleanEnv, runCli } from '../helpers/cli.js';
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

/** OBS via the rig's own skip rule; Chromium the same way: skipped on a dev machine without it, a failure in CI. */
function describeE2e(name: string, fn: () => void): void {
  if (chromiumAvailable()) return describeObsSkip(name, fn);
  const why = `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  if (ci !== '' && ci !== 'false' && ci !== '0') {
    describe(name, () => it('needs Chromium', () => { throw new Error(`${why}; CI is set, so this suite fails instead of skipping`); }));
    return;
  }
  console.warn(`[e2e dock] skipping "${name}": ${why}`);
  describe.skip(name, fn);
}

interface SandboxFile { accessKeySecret: string; controlToken?: string }

describeE2e('the dock in Chromium, served by `serve --sandbox`, driving a real OBS 29', () => {
  let obs: ObsHandle | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const serves: Spawned[] = [];
  const roots: string[] = [];
  const obsClient = new ObsClient({ createSocket: () => new JsonOBSWebSocket(), callTimeoutMs: 5_000, connectTimeoutMs: 10_000 });
  const obsEvents = new EventLog<StreamStateChanged>();
  obsClient.on('StreamStateChanged', (e) => obsEvents.push(e));

  beforeAll(async () => {
    assertBuilt();
    // OBS's own auto-reconnect off: nothing here drops, and a drop must not be hidden by a silent retry
    [obs, browser] = await Promise.all([startObs({ reconnect: { enabled: false } }), launchChromium()]);
    await obsClient.connect(obs.url, obs.password);
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    for (const s of serves) await s.stop('SIGTERM', 5_000); // only the serves this file started, by their handles
    await obsClient.disconnect();
    await obs?.stop();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  }, 30_000);

  /** A temp HOME with no credentials anywhere; OBS_CONFIG_DIR points the helper at the rig's OBS config for hints. */
  function freshEnv(): NodeJS.ProcessEnv {
    const root = mkdtempSync(join(tmpdir(), 'artc-e2e-dock-'));
    roots.push(root);
    const home = join(root, 'home');
    mkdirSync(home);
    return cleanEnv(home, { OBS_CONFIG_DIR: obs!.configDir });
  }

  async function startServe(port: number, env: NodeJS.ProcessEnv): Promise<{ serve: Spawned; dockUrl: string }> {
    const serve = spawnCli(['serve', '--sandbox', '--port', String(port)], env);
    serves.push(serve);
    const dockUrl = await serve.waitForLine((l) => /^Dock URL: (\S+)/.exec(l)?.[1], 'the Dock URL line', 15_000);
    return { serve, dockUrl };
  }

  /** A dock-sized page (OBS docks are narrow), English whatever the machine's locale. */
  async function dockPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser!.newContext({ viewport: { width: 300, height: 1000 }, deviceScaleFactor: 2, locale: 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
    return { page, errors };
  }

  const textbox = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const obsPill = (page: Page) => page.locator('[data-status]');
  const stateBadge = (page: Page) => page.getByRole('status').locator('[data-state]');

  async function waitAttr(locator: ReturnType<Page['locator']>, attr: string, want: readonly string[], what: string, timeoutMs = 10_000): Promise<string> {
    return waitFor(async () => {
      const v = await locator.getAttribute(attr, { timeout: timeoutMs });
      return v !== null && want.includes(v) && v;
    }, { what, timeoutMs });
  }

  it('fills the channel by label, goes live into the sandbox, stops; no secret leaks; zh-CN; saves the screenshot', async () => {
    const env = freshEnv();
    const { serve, dockUrl } = await startServe(await freePort(), env);
    expect(dockUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/);
    const helperToken = new URL(dockUrl).searchParams.get('token')!;
    const sandbox = JSON.parse(readFileSync(join(env.ARTC_INGEST_HOME!, 'sandbox.json'), 'utf8')) as SandboxFile;
    const secrets = { 'AccessKey secret': sandbox.accessKeySecret, 'control token': sandbox.controlToken };
    expect(sandbox.accessKeySecret.length).toBeGreaterThan(10);
    expect(sandbox.controlToken?.length ?? 0).toBeGreaterThan(10);

    const { page, errors } = await dockPage();
    // every body the page received: the document, assets, /api/* JSON
    const bodies: Array<Promise<{ url: string; text: string }>> = [];
    const unread: string[] = [];
    page.on('response', (r: Response) => bodies.push(r.text().then((text) => ({ url: r.url(), text }), (e: Error) => (unread.push(`${r.url()}: ${e.message}`), { url: r.url(), text: '' }))));

    const doc = await page.goto(dockUrl, { waitUntil: 'load', timeout: 10_000 });
    expect(doc?.status()).toBe(200);
    const csp = doc?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    await page.getByRole('status').waitFor();
    // the token was in the URL once; the dock strips it from the address bar
    expect(page.url()).not.toContain('token');
    expect(page.url()).not.toContain(helperToken);

    // prefilled from OBS's own global.ini (through the helper's /api/obsHints), and connected with it
    await waitAttr(obsPill(page), 'data-status', ['connected'], 'the dock to connect to OBS with the prefilled settings', 15_000);
    expect(await textbox(page, 'OBS WebSocket URL').inputValue()).toBe(obs!.url);
    expect(await textbox(page, 'OBS WebSocket password').inputValue()).toBe(obs!.password);
    // typed by label too: a wrong password is refused by OBS (4009), the right one connects
    await textbox(page, 'OBS WebSocket URL').fill(obs!.url);
    await textbox(page, 'OBS WebSocket password').fill('not-the-password');
    await button(page, 'Connect').click();
    await waitAttr(obsPill(page), 'data-status', ['auth-failed'], 'OBS to refuse the wrong password');
    await textbox(page, 'OBS WebSocket password').fill(obs!.password);
    await button(page, 'Connect').click();
    await waitAttr(obsPill(page), 'data-status', ['connected'], 'the dock to connect with the typed password');

    await textbox(page, 'App ID').fill(CHANNEL.appId);
    await textbox(page, 'Channel ID').fill(CHANNEL.channelId);
    await textbox(page, 'User ID').fill(CHANNEL.userId);
    await textbox(page, 'Display name').fill(CHANNEL.displayName);
    await textbox(page, 'Expire time').fill(CHANNEL.expireTime);

    obsEvents.mark();
    const tClick = Date.now();
    await button(page, 'Go live').click();
    const started = await obsEvents.next((e) => e.outputState === STARTED || e.outputState === STOPPED, { what: 'OBS STARTED', timeoutMs: 20_000 });
    expect(started.event.outputState).toBe(STARTED);
    const tStarted = started.at;
    await waitFor(async () => (await stateBadge(page).getAttribute('data-state')) === 'live' && (await page.getByRole('status').locator('.presence-present').count()) === 1, { what: 'the status region to show live and present', timeoutMs: 20_000, intervalMs: 50 });
    const tPresent = Date.now();
    say(`Go live click -> OBS STARTED ${tStarted - tClick} ms -> dock shows live + present ${tPresent - tClick} ms`);
    expect(await page.getByRole('status').getByText('Live', { exact: true }).count()).toBe(1);

    // from outside the browser: OBS streams, and another process lists the publisher in the sandbox channel
    expect((await obsClient.call('GetStreamStatus')).outputActive).toBe(true);
    const participants = async () => {
      const r = await runCli(['participants', '--sandbox', '--app-id', CHANNEL.appId, '--channel-id', CHANNEL.channelId, '--json'], env);
      if (r.code !== 0) throw new Error(`participants --sandbox exited ${r.code}: ${r.stderr}`);
      return (JSON.parse(r.stdout) as { users: string[] }).users;
    };
    expect(await participants()).toEqual([CHANNEL.userId]);
    // the stream key on screen is masked (its auth_key token is the ingest credential)
    await page.locator('summary', { hasText: 'Stream key' }).click();
    const shownKey = await page.getByTestId('stream-key').innerText();
    expect(shownKey).not.toMatch(/auth_key=\d+-\w+-\w+-[0-9a-f]{32}/);
    expect(await page.getByTestId('url-expiry').innerText()).toMatch(/^(1:00:00|59:[0-5]\d)$/); // 3600 s

    // the README's screenshot: live, with OBS's numbers in (bitrate needs two stats samples), full page, English
    await page.locator('summary', { hasText: 'Action log' }).click();
    await waitFor(async () => /\d/.test(await page.getByRole('status').locator('dt:text-is("Bitrate") + dd').innerText()), { what: 'the bitrate to show', timeoutMs: 10_000 });
    const overflow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(overflow.scroll, 'horizontal scroll at 300 px').toBeLessThanOrEqual(overflow.client);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    say(`screenshot saved (${statSync(SCREENSHOT).size} B)`);

    // zh-CN: the labels follow the language switch, and back
    await button(page, '中文').click();
    await textbox(page, '应用 ID').waitFor();
    expect(await textbox(page, 'App ID').count()).toBe(0);
    expect(await page.getByRole('status').getByText('直播中', { exact: true }).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), 'no horizontal scroll in zh-CN').toBe(true);
    // CJK may break between any two characters: the password's Show (显示) must not be squeezed into a column
    const [show, connect] = await Promise.all([page.locator('.obs-password').getByRole('button').boundingBox(), button(page, '连接').boundingBox()]);
    expect(Math.abs(show!.height - connect!.height), 'Show and Connect buttons are one line each').toBeLessThan(2);
    await button(page, 'EN').click();
    await textbox(page, 'App ID').waitFor();

    obsEvents.mark();
    const tStop = Date.now();
    await button(page, 'Stop').click();
    await obsEvents.next((e) => e.outputState === STOPPED, { what: 'OBS STOPPED after Stop', timeoutMs: 15_000 });
    // seen once here: GetStreamStatus still said outputActive right after the STOPPED event (libobs clears `active`
    // on its end_data_capture thread, which can run after the stop signal), so poll it
    await waitFor(async () => !(await obsClient.call('GetStreamStatus')).outputActive, { what: 'OBS output inactive', timeoutMs: 5_000 });
    await waitFor(async () => !(await participants()).includes(CHANNEL.userId), { what: 'the publisher to leave the channel', timeoutMs: 15_000, intervalMs: 200 });
    // and nothing restarted it: the dock's Stop is final
    expect(obsEvents.sinceMark().map((e) => e.outputState)).toEqual(['OBS_WEBSOCKET_OUTPUT_STOPPING', STOPPED]);
    say(`Stop click -> OBS STOPPED and the publisher gone ${Date.now() - tStop} ms`);
    await waitAttr(stateBadge(page), 'data-state', ['idle', 'stopped-by-user'], 'the dock to show off air');

    // secrets: in no response the page received, no built file, not in localStorage
    const received = await Promise.all(bodies);
    expect(unread, 'response bodies that could not be read (so not checked)').toEqual([]);
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

    expect(errors).toEqual([]);
    expect(await serve.stop('SIGTERM', 10_000)).toBe(0);
  }, 60_000);

  it('shows its waiting state (not a blank panel) when the helper stops, and recovers without a reload when it is back', async () => {
    const env = freshEnv();
    const port = await freePort();
    const first = await startServe(port, env);
    const { page, errors } = await dockPage();
    await page.goto(first.dockUrl, { waitUntil: 'load', timeout: 10_000 });
    await waitAttr(obsPill(page), 'data-status', ['connected'], 'the dock to connect to OBS', 15_000);
    await page.evaluate(() => ((window as unknown as { e2eSameDocument: boolean }).e2eSameDocument = true));

    const tDown = Date.now();
    expect(await first.serve.stop('SIGTERM', 10_000)).toBe(0);
    // the dock's periodic health check (every 15 s) notices; the layout stays, with the waiting banner
    await page.getByTestId('helper-waiting').waitFor({ timeout: 25_000 });
    say(`helper stopped -> dock shows helper-waiting ${Date.now() - tDown} ms`);
    expect(await page.getByTestId('helper-waiting').innerText()).toContain('Waiting for the artc-ingest helper');
    expect(await textbox(page, 'App ID').isVisible()).toBe(true);
    expect(await button(page, 'Go live').isDisabled()).toBe(true);
    expect(await page.getByRole('status').isVisible()).toBe(true);

    // the same port and HOME (so the same token): the dock finds it again on its own
    const tUp = Date.now();
    await startServe(port, env);
    await page.getByTestId('helper-waiting').waitFor({ state: 'detached', timeout: 15_000 });
    say(`helper restarted -> dock ready again ${Date.now() - tUp} ms`);
    expect(await page.evaluate(() => (window as unknown as { e2eSameDocument?: boolean }).e2eSameDocument)).toBe(true); // no reload
    expect(await button(page, 'Go live').isEnabled()).toBe(true);
    expect(await page.getByText('Sandbox', { exact: true }).count()).toBe(1);

    // while the helper was down the dock's own fetches to it failed: Chromium logs each refused request
    const unexpected = errors.filter((e) => !/Failed to load resource: net::ERR_CONNECTION_REFUSED/.test(e));
    expect(unexpected).toEqual([]);
  }, 60_000);

  it('opens (waiting, not an error page) when OBS starts before the helper, and carries on when the helper comes up', async () => {
    const env = freshEnv();
    const port = await freePort();
    const first = await startServe(port, env);
    const { page, errors } = await dockPage();
    // an earlier OBS session: the dock loaded once with the helper up, and its service worker kept the page
    await page.goto(first.dockUrl, { waitUntil: 'load', timeout: 10_000 });
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.close();
    expect(await first.serve.stop('SIGTERM', 10_000)).toBe(0);

    // the next OBS start: the dock URL (with its token, as OBS stores it) opens while no helper answers
    const again = await page.context().newPage();
    const againErrors: string[] = [];
    again.on('pageerror', (e) => againErrors.push(String(e)));
    await again.goto(first.dockUrl, { waitUntil: 'load', timeout: 10_000 });
    await again.getByTestId('helper-waiting').waitFor({ timeout: 10_000 });
    expect(await textbox(again, 'App ID').isVisible()).toBe(true);
    expect(await button(again, 'Go live').isDisabled()).toBe(true);

    // the OBS script starts the helper a moment later
    const tUp = Date.now();
    await startServe(port, env);
    await again.getByTestId('helper-waiting').waitFor({ state: 'detached', timeout: 15_000 });
    say(`helper started after the dock -> dock ready ${Date.now() - tUp} ms`);
    expect(await button(again, 'Go live').isEnabled()).toBe(true);
    expect([...errors, ...againErrors]).toEqual([]);
  }, 60_000);
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? listFiles(join(dir, d.name)) : [join(dir, d.name)]));
}
