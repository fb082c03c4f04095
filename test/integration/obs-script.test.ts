/**
 * install + the Lua script in a real OBS 29 (headless, via the rig):
 *   `artc-ingest install` into an OBS config folder -> OBS starts with the dock and script install wrote ->
 *   OBS's log says the Lua script loaded -> the helper answers on its port -> the dock URL renders in Chromium ->
 *   install refuses while that OBS runs -> OBS stopped by SIGTERM (no script_unload: the helper's --parent-pid
 *   watch) or SIGINT (clean exit: script_unload) -> the helper is gone within 5 s.
 * The rig prepares its own HOME, so install runs on a folder laid out the same way (obs-home.ts) and what it
 * wrote (the dock line, the scene collection's modules) is handed to the rig; install's refusal is checked
 * against the rig's live OBS folder.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeObsSkip, startObs, type ObsHandle } from '../helpers/obs-rig.js';
import { freePort } from '../helpers/ports.js';
import { prepareObsHome } from '../helpers/obs-home.js';
import { isAlive, waitForExit } from '../helpers/proc-tree.js';
import { launchChromium } from '../helpers/browser.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { parseIni } from '../../script/ini.js';
import { readDocks } from '../../script/install/browser-docks.js';
import { probeHelper } from '../../script/helper-state.js';
import { connectObs } from '../../script/doctor/obs-probe.js';

describeObsSkip('install + Lua script in real OBS', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let helperPort: number;
  let token: string;
  let dockIni: string;
  let modules: object;
  const started: ObsHandle[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'artc-obs-script-'));
    env = cleanEnv(root);
    helperPort = await freePort();
    // an OBS folder laid out like the rig's, to install into
    const paths = prepareObsHome(join(root, 'obs-home'), { port: 4455, password: 'unused' });
    const r = await runCli(
      ['install', '--config-dir', paths.configDir, '--port', String(helperPort), '--sandbox'],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ dock "ARTC Ingest"');
    expect(r.stdout).toContain('+ Lua script');
    const again = await runCli(
      ['install', '--config-dir', paths.configDir, '--port', String(helperPort), '--sandbox'],
      env,
    );
    expect(again.stdout).toContain('Already installed: nothing to change.');

    token = readFileSync(join(env.ARTC_INGEST_HOME!, 'token'), 'utf8').trim();
    const globalText = readFileSync(join(paths.configDir, 'global.ini'), 'utf8');
    dockIni = `[BasicWindow]\nExtraBrowserDocks=${parseIni(globalText).get('BasicWindow')!.get('ExtraBrowserDocks')}\n`;
    expect(readDocks(dockIni).docks[0]!.url).toBe(`http://127.0.0.1:${helperPort}/?token=${token}`);
    modules = JSON.parse(readFileSync(paths.sceneCollectionFile, 'utf8')).modules;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(started.map((o) => o.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  async function launch(): Promise<{ obs: ObsHandle; helperPid: number }> {
    const obs = await startObs({
      extraGlobalIni: dockIni,
      sceneCollectionJson: { modules },
      env: { ARTC_INGEST_HOME: env.ARTC_INGEST_HOME! },
    });
    started.push(obs);
    const context = () =>
      `--- OBS log ---\n${obs.readLog().split('\n').slice(-30).join('\n')}\n--- helper.log ---\n${readHelperLog()}`;
    await waitFor(() => /Loaded lua script: artc-ingest\.lua/.test(obs.readLog()), {
      what: '"Loaded lua script: artc-ingest.lua" in OBS\'s log',
      timeoutMs: 20_000,
      context,
    });
    const helperPid = Number(
      await waitFor(() => /Started the artc-ingest helper: pid (\d+), port (\d+)/.exec(obs.readLog())?.[1], {
        what: 'the script starting the helper',
        timeoutMs: 10_000,
        context,
      }),
    );
    await waitFor(async () => (await probeHelper(helperPort, token)).kind === 'ours', {
      what: `the helper answering on port ${helperPort}`,
      timeoutMs: 30_000,
      context,
    });
    return { obs, helperPid };
  }

  function readHelperLog(): string {
    try {
      return readFileSync(join(env.ARTC_INGEST_HOME!, 'helper.log'), 'utf8').replace(/token=[\w-]+/g, 'token=<hidden>');
    } catch {
      return '(no helper.log)';
    }
  }

  it('OBS loads the script, the helper answers, the dock URL renders in Chromium; SIGTERM to OBS -> helper gone within 5 s', async () => {
    const { obs, helperPid } = await launch();
    expect(obs.readLog()).not.toContain(token);
    const health = await probeHelper(helperPort, token);
    expect(health).toMatchObject({ kind: 'ours', mode: 'sandbox' });

    // install refuses while this OBS runs on that folder
    const refused = await runCli(['install', '--config-dir', obs.configDir], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/OBS Studio is running \(obs pid \d+\)\. Close OBS first/);

    // doctor against this live OBS: the real obs-websocket connection, dock, script and helper port all pass
    const doc = await runCli(['doctor', '--sandbox', '--config-dir', obs.configDir, '--timeout', '3000'], env, 30_000);
    for (const name of ['OBS config', 'obs-websocket', 'OBS connection', 'Dock', 'OBS script', 'Helper port']) {
      expect(doc.stdout, doc.stdout).toMatch(new RegExp(`^✔ ${name}: `, 'm'));
    }
    expect(doc.stdout).toMatch(/^✔ OBS connection: OBS 29\.\d+\.\d+ \(obs-websocket 5\.\d+\.\d+\) answers/m);
    expect(doc.stdout).toContain(`✔ Helper port: ${helperPort}: our helper answers`);
    expect(doc.stdout).not.toContain(token);
    expect(doc.stdout).not.toContain(obs.password);
    expect(await connectObs(obs.url, 'wrong-password', 3_000)).toMatchObject({ ok: false, reason: 'auth' });

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const res = await page.goto(`http://127.0.0.1:${helperPort}/?token=${token}`, {
        waitUntil: 'load',
        timeout: 15_000,
      });
      expect(res?.status()).toBe(200);
      expect(await page.title()).toBe('ARTC Ingest');
      // the dock rendered (Preact mounted into #app) and reached the helper's API with the token
      await page.waitForFunction(() => (document.querySelector('#app')?.children.length ?? 0) > 0, undefined, {
        timeout: 15_000,
      });
    } finally {
      await browser.close();
    }

    const t0 = Date.now();
    const stopping = obs.stop('SIGTERM');
    const gone = await waitForExit(helperPid, 5_000);
    const ms = Date.now() - t0;
    await stopping;
    console.log(`[obs-script] SIGTERM to OBS -> helper pid ${helperPid} gone after ${ms} ms`);
    expect(gone, `helper still alive 5 s after SIGTERM to OBS\n${readHelperLog()}`).toBe(true);
    expect((await probeHelper(helperPort, token)).kind).toBe('free');
  }, 120_000);

  it('SIGINT (OBS exits cleanly, script_unload runs) -> helper gone within 5 s', async () => {
    const { obs, helperPid } = await launch();
    const t0 = Date.now();
    const stopping = obs.stop('SIGINT');
    const gone = await waitForExit(helperPid, 5_000);
    const ms = Date.now() - t0;
    await stopping;
    console.log(`[obs-script] SIGINT to OBS -> helper pid ${helperPid} gone after ${ms} ms`);
    expect(gone, `helper still alive 5 s after SIGINT to OBS\n${readHelperLog()}`).toBe(true);
    expect(isAlive(helperPid)).toBe(false);
    // stopped by script_unload's SIGTERM, not by the helper noticing OBS gone (OBS 29 logs nothing after
    // "Shutting down", so the helper's own log is the witness)
    const thisRun = readHelperLog().split(`Dock URL: http://127.0.0.1:${helperPort}/`).pop()!;
    expect(thisRun).toContain('Stopped.');
    expect(thisRun).not.toContain('is gone; stopping');
  }, 120_000);
});
