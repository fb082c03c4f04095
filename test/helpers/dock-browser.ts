/**
 * The dock's end-to-end flows run in two browser engines, one driver each, behind one small page interface:
 *   - Debian's Chromium (current) through playwright-core;
 *   - Chromium 103.0.5058, the engine OBS 28-30 embed (CEF 103), from npm (@sparticuz/chrome-aws-lambda 14.4.1,
 *     a brotli-packed binary inside the package that unpacks to /tmp/chromium on first use) through its matching
 *     driver, puppeteer-core 14.4.1 (playwright-core 1.6x does not drive a browser this old).
 * Nothing downloads a browser. Elements are found the way a user (and assistive tech) finds them: textboxes and
 * buttons by accessible name. Typing is real key input after selecting what the field holds.
 */
import { existsSync } from 'node:fs';
import type { Browser as PwBrowser, BrowserContext, Page as PwPage } from 'playwright-core';
import type { Browser as PpBrowser, ElementHandle, Page as PpPage } from 'puppeteer-core';
import { CHROMIUM, launchChromium } from './browser.js';
import { waitFor } from './wait-for.js';

export interface PageOptions {
  width: number;
  height?: number;
}

export interface DockPage {
  readonly engine: string;
  /** console errors and page errors, as text */
  readonly errors: string[];
  goto(url: string): Promise<{ status: number | undefined; headers: Record<string, string> }>;
  url(): string;
  /** the textbox with this accessible name: select its content and type `text` as keys */
  type(name: string, text: string): Promise<void>;
  value(name: string): Promise<string>;
  click(name: string): Promise<void>;
  buttonDisabled(name: string): Promise<boolean>;
  /** count of textboxes / buttons with this exact accessible name */
  countTextbox(name: string): Promise<number>;
  countButton(name: string): Promise<number>;
  /** innerText of the first element matching a CSS selector ('' when none) */
  text(selector: string): Promise<string>;
  attr(selector: string, name: string): Promise<string | null>;
  count(selector: string): Promise<number>;
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>;
  /** waits until a CSS selector is present (or gone) */
  waitFor(selector: string, state: 'attached' | 'detached', timeoutMs: number): Promise<void>;
  /** every response body the page received (for the secrets check) */
  onResponse(fn: (url: string, body: Promise<string>) => void): void;
  screenshot(path: string): Promise<void>;
  /** another page in the same browser profile (its service worker and storage) */
  sibling(): Promise<DockPage>;
  close(): Promise<void>;
}

export interface Engine {
  name: string;
  available(): boolean;
  /** why it is not available */
  missing: string;
  launch(): Promise<{ newPage(opts: PageOptions): Promise<DockPage>; close(): Promise<void> }>;
}

// ---------------------------------------------------------------- Debian's Chromium, playwright-core

export const debianChromium: Engine = {
  name: "Debian's Chromium",
  available: () => existsSync(CHROMIUM),
  missing: `Chromium not found at ${CHROMIUM} (apt-get install chromium)`,
  async launch() {
    const browser: PwBrowser = await launchChromium();
    const contexts: BrowserContext[] = [];
    return {
      async newPage(opts) {
        const context = await browser.newContext({
          viewport: { width: opts.width, height: opts.height ?? 1000 },
          deviceScaleFactor: 2,
          locale: 'en-US',
        });
        contexts.push(context);
        return playwrightPage(await context.newPage(), browser.version());
      },
      async close() {
        for (const c of contexts) await c.close().catch(() => undefined);
        await browser.close();
      },
    };
  },
};

function playwrightPage(page: PwPage, version: string): DockPage {
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
  const textbox = (name: string) => page.getByRole('textbox', { name, exact: true });
  const button = (name: string) => page.getByRole('button', { name, exact: true });
  return {
    engine: `Chromium ${version}`,
    errors,
    async goto(url) {
      const r = await page.goto(url, { waitUntil: 'load', timeout: 10_000 });
      return { status: r?.status(), headers: r?.headers() ?? {} };
    },
    url: () => page.url(),
    async type(name, text) {
      const box = textbox(name);
      await box.click();
      await box.press('ControlOrMeta+a');
      await box.pressSequentially(text);
    },
    value: (name) => textbox(name).inputValue(),
    click: (name) => button(name).click(),
    buttonDisabled: (name) => button(name).isDisabled(),
    countTextbox: (name) => textbox(name).count(),
    countButton: (name) => button(name).count(),
    text: async (selector) =>
      (await page.locator(selector).count()) ? page.locator(selector).first().innerText() : '',
    attr: async (selector, name) =>
      (await page.locator(selector).count()) ? page.locator(selector).first().getAttribute(name) : null,
    count: (selector) => page.locator(selector).count(),
    evaluate: (fn) => page.evaluate(fn),
    waitFor: (selector, state, timeoutMs) => page.locator(selector).first().waitFor({ state, timeout: timeoutMs }),
    onResponse(fn) {
      page.on('response', (r) => fn(r.url(), r.text()));
    },
    screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
    sibling: async () => playwrightPage(await page.context().newPage(), version),
    close: () => page.close(),
  };
}

// ---------------------------------------------------------------- Chromium 103, puppeteer-core 14

const PACKAGE_103 = '@sparticuz/chrome-aws-lambda';

export const chromium103: Engine = {
  name: 'Chromium 103 (OBS 28-30)',
  available: () => existsSync(new URL(`../../node_modules/${PACKAGE_103}/bin/chromium.br`, import.meta.url)),
  missing: `${PACKAGE_103} is not installed (npm ci installs it: a devDependency)`,
  async launch() {
    // its executablePath resolves (and unpacks the binary) only where it believes it is a serverless function
    process.env.AWS_LAMBDA_FUNCTION_NAME ??= 'artc-ingest-e2e';
    const chromium = (await import(PACKAGE_103)).default as { executablePath: Promise<string | null>; args: string[] };
    const puppeteer = (await import('puppeteer-core')).default;
    const executablePath = await chromium.executablePath;
    if (!executablePath) throw new Error(`${PACKAGE_103}: no executable path`);
    const args = chromium.args.filter((a) => a !== '--single-process' && !a.startsWith('--window-size'));
    const browser: PpBrowser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: [...args, '--no-sandbox', '--disable-background-networking', '--lang=en-US'],
      timeout: 30_000,
    });
    const version = await browser.version();
    if (!/\/103\./.test(version)) throw new Error(`expected Chromium 103, launched ${version}`);
    return {
      async newPage(opts) {
        const page = await browser.newPage();
        await page.setViewport({ width: opts.width, height: opts.height ?? 1000, deviceScaleFactor: 2 });
        return puppeteerPage(page, version, opts);
      },
      async close() {
        // puppeteer 14's close() can hang on this build once pages with service workers were open: give it a
        // deadline, then end the browser process it started (and only that one, by its handle)
        const proc = browser.process();
        const closed = browser.close().then(
          () => true,
          () => false,
        );
        const timedOut = new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000).unref());
        if (!(await Promise.race([closed, timedOut]))) proc?.kill('SIGKILL');
      },
    };
  },
};

function puppeteerPage(page: PpPage, version: string, opts: PageOptions): DockPage {
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
  // puppeteer's aria/ query handler matches the computed accessible name and role, like getByRole
  const aria = (role: string, name: string) => `aria/${name}[role="${role}"]`;
  const one = async (role: string, name: string): Promise<ElementHandle> => {
    const h = await page.waitForSelector(aria(role, name), { timeout: 10_000 });
    if (!h) throw new Error(`no ${role} named "${name}"`);
    return h as ElementHandle;
  };
  const exact = async (role: string, name: string) => {
    // aria/ matches names exactly in puppeteer 14; count those
    return (await page.$$(aria(role, name))).length;
  };
  return {
    engine: version.replace('HeadlessChrome/', 'Chromium '),
    errors,
    async goto(url) {
      const r = await page.goto(url, { waitUntil: 'load', timeout: 10_000 });
      return { status: r?.status(), headers: r?.headers() ?? {} };
    },
    url: () => page.url(),
    async type(name, text) {
      const h = await one('textbox', name);
      await h.click({ clickCount: 3 }); // selects what the field holds
      await page.keyboard.down('Control');
      await page.keyboard.press('a');
      await page.keyboard.up('Control');
      await h.type(text);
    },
    value: async (name) => (await one('textbox', name)).evaluate((el) => (el as HTMLInputElement).value),
    click: async (name) => (await one('button', name)).click(),
    buttonDisabled: async (name) => (await one('button', name)).evaluate((el) => (el as HTMLButtonElement).disabled),
    countTextbox: (name) => exact('textbox', name),
    countButton: (name) => exact('button', name),
    text: (selector) =>
      page.evaluate((s) => (document.querySelector(s) as HTMLElement | null)?.innerText ?? '', selector),
    attr: (selector, name) =>
      page.evaluate((s, n) => document.querySelector(s)?.getAttribute(n) ?? null, selector, name),
    count: (selector) => page.evaluate((s) => document.querySelectorAll(s).length, selector),
    evaluate: (fn) => page.evaluate(fn) as Promise<never>,
    async waitFor(selector, state, timeoutMs) {
      await waitFor(async () => ((await page.$(selector)) !== null) === (state === 'attached'), {
        what: `${selector} ${state}`,
        timeoutMs,
        intervalMs: 50,
      });
    },
    onResponse(fn) {
      page.on('response', (r) => {
        // redirects and preflights have no body: a rejected text() is reported by the caller
        fn(r.url(), r.text());
      });
    },
    screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
    async sibling() {
      const next = await page.browser().newPage();
      await next.setViewport({ width: opts.width, height: opts.height ?? 1000, deviceScaleFactor: 2 });
      return puppeteerPage(next, version, opts);
    },
    close: () => page.close(),
  };
}

export const ENGINES: readonly Engine[] = [debianChromium, chromium103];
