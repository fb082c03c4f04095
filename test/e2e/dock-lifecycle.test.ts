/**
 * The dock's lifecycle around the helper, end to end in both engines (see dock.test.ts for the rig): the helper
 * stops and comes back under an open dock (its waiting state, no reload), and the dock opens before the helper
 * (OBS starts first: its service worker keeps the page). Needs `npm run build` first (`npm test` does it).
 */
import { expect, it } from 'vitest';
import { DEFAULT_OBS_URL } from '../../shared/obs-url.js';
import {
  forEachEngine,
  freshEnv,
  installDockRig,
  PILL,
  rig,
  startServe,
  unexpected,
  waitAttr,
} from '../helpers/dock-e2e.js';
import { freePort } from '../helpers/obs-rig.js';

installDockRig();

forEachEngine((ctx) => {
  it('shows its waiting state (not a blank panel) when the helper stops, and recovers without a reload when it is back', async () => {
    const env = freshEnv();
    const port = await freePort();
    const first = await startServe(port, env);
    const page = await ctx.page();
    await page.goto(first.dockUrl);
    await page.type('OBS WebSocket URL', rig.obs!.url);
    await page.type('OBS WebSocket password', rig.obs!.password);
    await waitAttr(page, PILL, 'data-status', ['connected'], 'the dock to connect to OBS', 15_000);
    await page.evaluate(() => ((window as unknown as { e2eSameDocument: boolean }).e2eSameDocument = true));

    const tDown = Date.now();
    expect(await first.serve.stop('SIGTERM', 10_000)).toBe(0);
    // the dock's periodic health check (every 15 s) notices; the layout stays, with the waiting banner
    await page.waitFor('[data-testid="helper-waiting"]', 'attached', 25_000);
    ctx.log(`helper stopped -> dock shows helper-waiting ${Date.now() - tDown} ms`);
    expect(await page.text('[data-testid="helper-waiting"]')).toContain('Waiting for the artc-ingest helper');
    expect(await page.countTextbox('App ID')).toBe(1);
    expect(await page.buttonDisabled('Go live')).toBe(true);
    expect(await page.count('[role="status"]')).toBe(1);

    // the same port and HOME (so the same token): the dock finds it again on its own
    const tUp = Date.now();
    await startServe(port, env);
    await page.waitFor('[data-testid="helper-waiting"]', 'detached', 15_000);
    ctx.log(`helper restarted -> dock ready again ${Date.now() - tUp} ms`);
    expect(await page.evaluate(() => (window as unknown as { e2eSameDocument?: boolean }).e2eSameDocument)).toBe(true); // no reload
    expect(await page.buttonDisabled('Go live')).toBe(false);
    expect(await page.text('.badge')).toBe('Sandbox');

    // while the helper was down the dock's own fetches to it failed: Chromium logs each refused request
    expect(
      unexpected(page.errors, [DEFAULT_OBS_URL]).filter(
        (e) => !/Failed to load resource: net::ERR_CONNECTION_REFUSED/.test(e),
      ),
    ).toEqual([]);
    await page.close();
  }, 90_000);

  it('opens (waiting, not an error page) when OBS starts before the helper, and carries on when the helper comes up', async () => {
    const env = freshEnv();
    const port = await freePort();
    const first = await startServe(port, env);
    const page = await ctx.page();
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
    // the worker kept every asset, the supervisor's chunk too (fetched later, not named by the page)
    const cached = await again.evaluate(async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith('artc-dock-'));
      if (names.length !== 1) throw new Error(`expected one dock cache, found ${names.join(', ') || 'none'}`);
      return (await (await caches.open(names[0]!)).keys()).map((r) => new URL(r.url).pathname);
    });
    expect(cached.filter((p) => /\/assets\/supervisor-adapter-[\w-]+\.js$/.test(p))).toHaveLength(1);

    // the OBS script starts the helper a moment later
    const tUp = Date.now();
    await startServe(port, env);
    await again.waitFor('[data-testid="helper-waiting"]', 'detached', 15_000);
    ctx.log(`helper started after the dock -> dock ready ${Date.now() - tUp} ms`);
    expect(await again.buttonDisabled('Go live')).toBe(false);
    const pageErrors = [...page.errors, ...again.errors].filter((e) => e.startsWith('pageerror'));
    expect(pageErrors).toEqual([]);
    await again.close();
  }, 90_000);
});
