/**
 * The no-credentials path end to end, with processes, as a user runs it: a temp HOME with no AccessKey anywhere,
 * `serve` (built CLI) falls back to the sandbox and announces it in sandbox.json; `url --sandbox` and
 * `participants --sandbox` in other processes find it; a real OBS 29 streams to the minted URL and is listed;
 * SIGTERM stops serve with exit 0. Needs `npm run build` first (`npm test` does it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JsonOBSWebSocket from 'obs-websocket-js/json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObsClient, type StreamStateChanged } from '../../shared/obs-client.js';
import { assertBuilt, cleanEnv, runCli } from '../helpers/cli.js';
import { describeObsSkip, startObs, type ObsHandle } from '../helpers/obs-rig.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/proc-tree.js';
import { spawnCli, type Spawned } from '../helpers/spawned.js';
import { EventLog, waitFor } from '../helpers/wait-for.js';

const NOTICE = 'No Alibaba Cloud AccessKey found';
const say = (line: string) => console.log(`[serve-sandbox-obs] ${line}`);
const roots: string[] = [];

/** A HOME (and config folders under it) with nothing in it: no env credentials, no ~/.aliyun, no sandbox.json. */
function emptyHome(): NodeJS.ProcessEnv {
  const root = mkdtempSync(join(tmpdir(), 'artc-serve-obs-'));
  roots.push(root);
  const home = join(root, 'home');
  mkdirSync(home);
  return cleanEnv(home);
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)),
  );
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('url --sandbox without a running sandbox', () => {
  it('exits 2 with the hint to start `serve --sandbox`', async () => {
    assertBuilt();
    const r = await runCli(
      [
        'url',
        '--sandbox',
        '--app-id',
        'demoApp',
        '--channel-id',
        'room1',
        '--user-id',
        'obs-1',
        '--display-name',
        'Demo',
        '--json',
      ],
      emptyHome(),
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no sandbox is running');
    expect(r.stderr).toContain('artc-ingest serve --sandbox');
  });
});

describeObsSkip('no credentials anywhere: serve runs the sandbox, url/participants --sandbox drive a real OBS', () => {
  let obs: ObsHandle | undefined;
  let serve: Spawned | undefined;
  const obsClient = new ObsClient({
    createSocket: () => new JsonOBSWebSocket(),
    callTimeoutMs: 5_000,
    connectTimeoutMs: 10_000,
  });
  const obsEvents = new EventLog<StreamStateChanged>();
  obsClient.on('StreamStateChanged', (e) => obsEvents.push(e));

  beforeAll(async () => {
    assertBuilt();
    // OBS's own auto-reconnect off: this scenario has no drop, and a drop must not be hidden by a silent retry
    obs = await startObs({ reconnect: { enabled: false } });
    await obsClient.connect(obs.url, obs.password);
  });

  afterAll(async () => {
    if (serve && serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL'); // only the serve we started
    await obsClient.disconnect();
    await obs?.stop();
    if (obs)
      for (const pid of [obs.pid, obs.wrapperPid, obs.xvfbPid])
        if (pid !== undefined) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  });

  it('serve falls back to the sandbox (says so once); url --sandbox mints a URL OBS streams to; participants --sandbox lists the publisher; SIGTERM -> exit 0', async () => {
    const env = emptyHome();
    const channel = ['--app-id', 'demoApp', '--channel-id', 'room1'];
    const sandboxFile = join(env.ARTC_INGEST_HOME!, 'sandbox.json');
    const t0 = Date.now();
    const s = (serve = spawnCli(['serve', '--port', String(await freePort())], env));
    const rtmpPort = await waitFor(
      () => {
        if (s.child.exitCode !== null) throw new Error(`serve exited ${s.child.exitCode}: ${s.stdout()} ${s.stderr()}`);
        const m =
          /Dock URL: http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(s.stdout()) &&
          /RTMP ingest on 127\.0\.0\.1:(\d+)/.exec(s.stdout());
        return m ? Number(m[1]) : undefined;
      },
      { what: 'serve to print its dock URL', timeoutMs: 15_000 },
    );
    say(`serve up (sandbox mode) in ${Date.now() - t0} ms; RTMP ingest port ${rtmpPort}`);
    expect(count(s.stdout() + s.stderr(), NOTICE)).toBe(1);
    expect(s.stderr()).toContain('runs against the local sandbox cloud');
    expect(s.stdout()).toContain('sandbox mode');
    expect(existsSync(sandboxFile)).toBe(true);
    expect(statSync(sandboxFile).mode & 0o777).toBe(0o600);
    const announced = JSON.parse(readFileSync(sandboxFile, 'utf8')) as {
      pid: number;
      rtmpPort: number;
      accessKeySecret: string;
    };
    expect(announced).toMatchObject({ pid: s.child.pid, rtmpPort });

    const before = await runCli(['participants', '--sandbox', ...channel, '--json'], env);
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ users: [], total: 0 });

    const minted = await runCli(
      ['url', '--sandbox', ...channel, '--user-id', 'obs-cli', '--display-name', 'CLI Demo', '--json'],
      env,
    );
    expect(minted.code, minted.stderr).toBe(0);
    const url = JSON.parse(minted.stdout) as {
      rtmpAddress: string;
      server: string;
      streamKey: string;
      expiresAt: string;
    };
    expect(url.server.startsWith(`rtmp://127.0.0.1:${rtmpPort}/`)).toBe(true);
    expect(url.server).not.toContain('auth_key');
    expect(url.streamKey).toMatch(/\?auth_key=\d+-\w+-\w+-[0-9a-f]{32}$/);
    const token = url.streamKey.split('auth_key=')[1]!;

    await obsClient.call('SetStreamServiceSettings', {
      streamServiceType: 'rtmp_custom',
      streamServiceSettings: { server: url.server, key: url.streamKey },
    });
    obsEvents.mark();
    const tStart = Date.now();
    await obsClient.call('StartStream');
    const started = await obsEvents.next(
      (e) => e.outputState === 'OBS_WEBSOCKET_OUTPUT_STARTED' || e.outputState === 'OBS_WEBSOCKET_OUTPUT_STOPPED',
      { what: 'STARTED', timeoutMs: 15_000 },
    );
    expect(started.event.outputState).toBe('OBS_WEBSOCKET_OUTPUT_STARTED');
    const listing = async () => {
      const r = await runCli(['participants', '--sandbox', ...channel, '--json'], env);
      if (r.code !== 0) throw new Error(`participants --sandbox exited ${r.code}: ${r.stderr}`);
      return (JSON.parse(r.stdout) as { users: string[] }).users;
    };
    const listed = await waitFor(
      async () => {
        const users = await listing();
        return users.includes('obs-cli') && users;
      },
      { what: '`participants --sandbox` to list obs-cli', timeoutMs: 15_000 },
    );
    expect(listed).toEqual(['obs-cli']);
    say(
      `StartStream -> STARTED ${started.at - tStart} ms; -> listed by \`participants --sandbox\` ${Date.now() - tStart} ms`,
    );
    expect((await obsClient.call('GetStreamStatus')).outputActive).toBe(true);

    await obsClient.call('StopStream');
    await obsEvents.next((e) => e.outputState === 'OBS_WEBSOCKET_OUTPUT_STOPPED', {
      what: 'STOPPED',
      timeoutMs: 15_000,
    });
    await waitFor(async () => !(await listing()).includes('obs-cli'), { what: 'obs-cli to leave', timeoutMs: 15_000 });

    const tStop = Date.now();
    s.child.kill('SIGTERM');
    expect(await withDeadline(s.exited, 10_000, 'serve to exit after SIGTERM')).toBe(0);
    say(`SIGTERM -> serve exited 0 in ${Date.now() - tStop} ms`);
    expect(s.stdout()).toContain('Stopped.');
    expect(existsSync(sandboxFile)).toBe(false);
    // nothing secret in what serve printed: not the ingest token, not the sandbox's secret
    expect(s.stdout() + s.stderr()).not.toContain(token);
    expect(s.stdout() + s.stderr()).not.toContain(announced.accessKeySecret);

    const after = await runCli(
      ['url', '--sandbox', ...channel, '--user-id', 'obs-cli', '--display-name', 'CLI Demo', '--json'],
      env,
    );
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('serve --sandbox');
  });
});
