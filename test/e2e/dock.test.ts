/**
 * The dock end to end, as a new user meets it, in the browser engines OBS embeds (Chromium 103, OBS 28-30) and
 * Debian's current Chromium: `serve --sandbox` (built CLI, a temp HOME with no AccessKey) serves the dock; the
 * helper cannot read OBS's config (another profile, a portable OBS), so nothing is prefilled but its default
 * URL. The test types the seven fields by their accessible names, clicks Go live once, and a real OBS 29 streams
 * into the sandbox ingest with the publisher in the channel; Stop stops OBS. Checked from outside the browser
 * (our own obs-websocket session, `participants --sandbox`), plus: a wrong URL then the right one (no attempt
 * to the old one after the edit), a wrong password (auth failed by the field, no stream, no loop), no secret in
 * any response, built file or localStorage, no horizontal scroll at 300 px, no console or page error, the CSP,
 * zh-CN (a helper restart under an open dock and the dock opening before the helper: dock-lifecycle.test.ts). Saves docs/screenshot.png
 * (the README's) from Debian's Chromium. Needs `npm run build` first (`npm test` does it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { DEFAULT_OBS_URL } from '../../shared/obs-url.js';
import { ENGINES } from '../helpers/dock-browser.js';
import {
  CHANNEL,
  countingPort,
  forEachEngine,
  freshEnv,
  installDockRig,
  observe,
  participants,
  PILL,
  rig,
  STARTED,
  startServe,
  STATE,
  stopAndConfirm,
  STOPPED,
  unexpected,
  waitAttr,
  type SandboxFile,
} from '../helpers/dock-e2e.js';
import { freePort } from '../helpers/obs-rig.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCK_DIR = join(ROOT, 'dist/dock');
// the README's picture is refreshed on demand (ARTC_UPDATE_SCREENSHOT=1 npm test), so a test run leaves the tree clean
const SCREENSHOT =
  process.env.ARTC_UPDATE_SCREENSHOT === '1'
    ? join(ROOT, 'docs/screenshot.png')
    : join(ROOT, 'test-results/dock-live.png');

installDockRig();

forEachEngine((ctx) => {
  it('typed by label with nothing prefilled, one click on Go live is live in the channel; Stop; no secret leaks; zh-CN; 300 px', async () => {
    const env = freshEnv();
    const { serve, dockUrl } = await startServe(await freePort(), env);
    expect(dockUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/);
    const helperToken = new URL(dockUrl).searchParams.get('token')!;
    const sandbox = JSON.parse(readFileSync(join(env.ARTC_INGEST_HOME!, 'sandbox.json'), 'utf8')) as SandboxFile;
    const secrets = { 'AccessKey secret': sandbox.accessKeySecret, 'control token': sandbox.controlToken };
    expect(sandbox.accessKeySecret.length).toBeGreaterThan(10);
    expect(sandbox.controlToken?.length ?? 0).toBeGreaterThan(10);

    const page = await ctx.page();
    // every body the page received: the document, assets, /api/* JSON
    const bodies: Array<Promise<{ url: string; text: string }>> = [];
    const unread: string[] = [];
    page.onResponse((url, body) =>
      bodies.push(
        body.then(
          (text) => ({ url, text }),
          (e: Error) => (unread.push(`${url}: ${e.message}`), { url, text: '' }),
        ),
      ),
    );

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
    await waitFor(async () => (await page.value('OBS WebSocket URL')) === DEFAULT_OBS_URL, {
      what: 'the default OBS URL',
      timeoutMs: 10_000,
    });
    expect(await page.value('OBS WebSocket password')).toBe('');
    for (const f of ['App ID', 'Channel ID', 'User ID', 'Display name']) expect(await page.value(f), f).toBe('');
    expect(rig.obs!.port).not.toBe(4455); // else the default URL would reach the rig's OBS by chance

    await page.type('App ID', CHANNEL.appId);
    await page.type('Channel ID', CHANNEL.channelId);
    await page.type('User ID', CHANNEL.userId);
    await page.type('Display name', CHANNEL.displayName);
    await page.type('Expire time', CHANNEL.expireTime);
    await page.type('OBS WebSocket URL', rig.obs!.url);
    await page.type('OBS WebSocket password', rig.obs!.password);

    rig.obsEvents.mark();
    const tClick = Date.now();
    await page.click('Go live');
    const started = await rig.obsEvents.next((e) => e.outputState === STARTED || e.outputState === STOPPED, {
      what: 'OBS STARTED',
      timeoutMs: 20_000,
    });
    expect(started.event.outputState).toBe(STARTED);
    await waitFor(
      async () =>
        (await page.attr(STATE, 'data-state')) === 'live' &&
        (await page.count('[role="status"] .presence-present')) === 1,
      { what: 'the status region to show live and present', timeoutMs: 20_000, intervalMs: 50 },
    );
    ctx.log(
      `Go live click -> OBS STARTED ${started.at - tClick} ms -> dock shows live + present ${Date.now() - tClick} ms`,
    );
    expect(await page.attr(PILL, 'data-status')).toBe('connected');

    // from outside the browser: OBS streams, and another process lists the publisher in the sandbox channel
    expect((await rig.obsClient.call('GetStreamStatus')).outputActive).toBe(true);
    expect(await participants(env)).toEqual([CHANNEL.userId]);
    // the stream key on screen is masked (its auth_key token is the ingest credential)
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    expect(await page.text('[data-testid="stream-key"]')).not.toMatch(/auth_key=\d+-\w+-\w+-[0-9a-f]{32}/);
    expect(await page.text('[data-testid="url-expiry"]')).toMatch(/^(1:00:00|59:[0-5]\d)$/); // 3600 s

    const overflow = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(overflow.scroll, 'horizontal scroll at 300 px').toBeLessThanOrEqual(overflow.client);
    if (ctx.engine === ENGINES[0]) {
      // the README's screenshot: live, with OBS's numbers in (bitrate needs two stats samples), full page, English
      await waitFor(
        async () =>
          /\d/.test(
            await page.evaluate(
              () =>
                [...document.querySelectorAll('[role="status"] dt')].find((d) => d.textContent === 'Bitrate')
                  ?.nextElementSibling?.textContent ?? '',
            ),
          ),
        { what: 'the bitrate to show', timeoutMs: 10_000 },
      );
      await page.screenshot(SCREENSHOT);
      ctx.log(`screenshot saved (${statSync(SCREENSHOT).size} B)`);
    }

    // zh-CN: the labels follow the language switch (its strings are fetched on demand), and back
    await page.click('中文');
    await waitFor(async () => (await page.countTextbox('应用 ID')) === 1, {
      what: 'the zh-CN labels',
      timeoutMs: 10_000,
    });
    expect(await page.countTextbox('App ID')).toBe(0);
    expect(await page.text('[role="status"] [data-state]')).toBe('直播中');
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
      'no horizontal scroll in zh-CN',
    ).toBe(true);
    // CJK may break between any two characters: the password's Show (显示) must not be squeezed into a column
    const heights = await page.evaluate(() =>
      [...document.querySelectorAll('.obs-connection button')].map(
        (b) => [b.textContent, b.getBoundingClientRect().height] as const,
      ),
    );
    const show = heights.find(([t]) => t === '显示')?.[1];
    const connect = heights.find(([t]) => t === '连接')?.[1];
    expect(
      show !== undefined && connect !== undefined && Math.abs(show - connect) < 2,
      `Show and Connect buttons are one line each: ${JSON.stringify(heights)}`,
    ).toBe(true);
    await page.click('EN');
    await waitFor(async () => (await page.countTextbox('App ID')) === 1, {
      what: 'the English labels',
      timeoutMs: 10_000,
    });

    await stopAndConfirm(page, env);

    // secrets: in no response the page received, no built file, not in localStorage
    const received = await Promise.all(bodies);
    expect(
      unread.filter((u) => !/redirect|preflight/i.test(u)),
      'response bodies that could not be read (so not checked)',
    ).toEqual([]);
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
      const page = await ctx.page();
      await page.goto(dockUrl);
      await page.type('App ID', CHANNEL.appId);
      await page.type('Channel ID', CHANNEL.channelId);
      await page.type('User ID', CHANNEL.userId);
      await page.type('Display name', CHANNEL.displayName);
      await page.type('OBS WebSocket password', rig.obs!.password);
      await page.type('OBS WebSocket URL', wrong.url);
      // typing pauses: the dock tries it, then the one reconnect loop retries it with a countdown
      await waitFor(() => wrong.attempts() >= 2, {
        what: 'two attempts at the wrong URL',
        timeoutMs: 20_000,
        intervalMs: 50,
      });
      expect(await page.attr(PILL, 'data-status')).toBe('unreachable');
      expect(await page.text('.obs-connection')).toMatch(/Next try in \d+ s\./);

      const before = wrong.attempts();
      await page.type('OBS WebSocket URL', rig.obs!.url);
      await waitAttr(
        page,
        PILL,
        'data-status',
        ['connected'],
        'the dock to connect to the typed URL once typing pauses',
        15_000,
      );
      await observe(
        11_000,
        "longer than the reconnect backoff's cap (10 s): a second loop, or a retry aimed at the old value, would show",
      );
      expect(wrong.attempts(), 'attempts at the old URL after the edit').toBe(before);
      ctx.log(`wrong URL: ${before} attempts before the edit, none after`);

      // a wrong password (typed while connected: the live session stays until Go live asks for the new values):
      // OBS refuses it (4009); Go live keeps the intent but never streams and never loops
      rig.obsEvents.mark();
      await page.type('OBS WebSocket password', 'not-the-password');
      await page.click('Go live');
      await waitAttr(page, PILL, 'data-status', ['auth-failed'], 'OBS to refuse the wrong password', 15_000);
      expect(await page.attr('#obs-password', 'aria-invalid')).toBe('true');
      expect(await page.attr('#obs-password', 'aria-describedby')).toBe('obs-help');
      expect(await page.text('#obs-help')).toMatch(/^Wrong password\./);
      await waitFor(async () => /Waiting for OBS/.test(await page.text('.dock')), {
        what: 'the dock to say it waits for OBS',
        timeoutMs: 10_000,
      });
      const state = await page.attr(STATE, 'data-state');
      await observe(3_000, 'a stream or a retry with the refused password would show within this');
      expect(rig.obsEvents.sinceMark(), 'no stream with a refused password').toEqual([]);
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
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(join(dir, d.name)) : [join(dir, d.name)],
  );
}
