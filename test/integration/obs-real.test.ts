/**
 * ObsClient against a real OBS 29 (headless, via the rig) streaming to a local node-media-server.
 * Timings are printed, not asserted. No fixed sleeps: every wait polls against a deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JsonOBSWebSocket from 'obs-websocket-js/json';
import DefaultOBSWebSocket from 'obs-websocket-js';
import {
  classifyRequestError,
  ObsClient,
  type ObsClosedEvent,
  type OBSWebSocketLike,
  type StreamStateChanged,
} from '../../shared/obs-client.js';
import { describeObsSkip, obsArgs, obsAvailable, startObs, type ObsHandle } from '../helpers/obs-rig.js';
import { isAlive } from '../helpers/proc-tree.js';
import { startRtmpSink, type RtmpSink } from '../helpers/rtmp-sink.js';
import { waitFor } from '../helpers/wait-for.js';

const STREAM = 'artc-test';
const KEY = `${STREAM}?auth_key=1700000000-0-0-0123456789abcdef`;

describeObsSkip('ObsClient against real OBS', () => {
  let obs: ObsHandle | undefined;
  let sink: RtmpSink | undefined;
  const clients: ObsClient[] = [];

  function client(build: 'json' | 'default' = 'json'): ObsClient {
    const createSocket = (): OBSWebSocketLike =>
      build === 'json' ? new JsonOBSWebSocket() : new DefaultOBSWebSocket();
    const c = new ObsClient({ createSocket, callTimeoutMs: 5_000, connectTimeoutMs: 5_000 });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    [obs, sink] = await Promise.all([startObs({ reconnect: { enabled: false } }), startRtmpSink()]);
    console.log(`[obs-real] OBS ${obs.version.join('.')} launch -> websocket Identify ok: ${obs.startupMs} ms`);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    await obs?.stop();
    await sink?.stop();
    if (obs)
      for (const pid of [obs.pid, obs.wrapperPid, obs.xvfbPid])
        if (pid !== undefined) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  });

  it.each(['json', 'default'] as const)(
    'connects with the right password (%s build of obs-websocket-js)',
    async (build) => {
      const c = client(build);
      const info = await c.connect(obs!.url, obs!.password);
      expect(info.negotiatedRpcVersion).toBe(1);
      const version = await c.call('GetVersion');
      expect(version.obsWebSocketVersion).toMatch(/^5\./);
      expect(version.obsVersion).toMatch(new RegExp(`^${obs!.version[0]}\\.`));
      await c.disconnect();
      expect(c.state).toBe('idle');
    },
  );

  it('a wrong password closes with 4009, classified auth-failed', async () => {
    const c = client();
    const closed: ObsClosedEvent[] = [];
    c.on('closed', (e) => closed.push(e));
    const err = await c.connect(obs!.url, `${obs!.password}-wrong`).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'closed', code: 4009, closeClass: 'auth-failed' });
    expect(closed).toMatchObject([{ code: 4009, classification: 'auth-failed', wasConnected: false }]);
  });

  it('streams to a local RTMP server: STARTING, STARTED, bytes grow, STOPPING, STOPPED', async () => {
    const c = client();
    const states: Array<StreamStateChanged & { at: number }> = [];
    c.on('StreamStateChanged', (e) => states.push({ ...e, at: Date.now() }));
    await c.connect(obs!.url, obs!.password);

    // 501 OutputNotRunning on StopStream means "already stopped"
    expect(classifyRequestError(await c.call('StopStream').catch((e: unknown) => e))).toMatchObject({
      kind: 'already-so',
    });

    await c.call('SetStreamServiceSettings', {
      streamServiceType: 'rtmp_custom',
      streamServiceSettings: { server: sink!.server, key: KEY },
    });
    const settings = await c.call('GetStreamServiceSettings');
    expect(settings).toMatchObject({
      streamServiceType: 'rtmp_custom',
      streamServiceSettings: { server: sink!.server },
    });

    const t0 = Date.now();
    await c.call('StartStream');
    const started = await waitFor(() => states.find((s) => s.outputState === 'OBS_WEBSOCKET_OUTPUT_STARTED'), {
      what: 'STARTED',
      intervalMs: 50,
    });
    console.log(`[obs-real] StartStream -> STARTED: ${started.at - t0} ms`);
    expect(started.outputActive).toBe(true);

    const first = await waitFor(
      async () => {
        const s = await c.call('GetStreamStatus');
        return s.outputActive && s.outputBytes > 0 ? s.outputBytes : undefined;
      },
      { what: 'outputBytes > 0', intervalMs: 50 },
    );
    await waitFor(async () => (await c.call('GetStreamStatus')).outputBytes > first, {
      what: 'outputBytes growing',
      intervalMs: 50,
    });
    const publish = await waitFor(() => sink!.events.find((e) => e.kind === 'postPublish'), {
      what: 'postPublish at the RTMP server',
      intervalMs: 50,
    });
    expect(sink!.openConnections()).toBe(1);
    expect(publish.streamPath).toBe(`/live/${STREAM}`);
    expect(publish.query).toMatchObject({ auth_key: '1700000000-0-0-0123456789abcdef' });

    // 500 OutputRunning on StartStream (after STARTED) means "already streaming"
    expect(classifyRequestError(await c.call('StartStream').catch((e: unknown) => e))).toMatchObject({
      kind: 'already-so',
    });

    const t1 = Date.now();
    await c.call('StopStream');
    const stopped = await waitFor(() => states.find((s) => s.outputState === 'OBS_WEBSOCKET_OUTPUT_STOPPED'), {
      what: 'STOPPED',
      intervalMs: 50,
    });
    console.log(`[obs-real] StopStream -> STOPPED: ${stopped.at - t1} ms`);
    expect(states.map((s) => s.outputState)).toEqual([
      'OBS_WEBSOCKET_OUTPUT_STARTING',
      'OBS_WEBSOCKET_OUTPUT_STARTED',
      'OBS_WEBSOCKET_OUTPUT_STOPPING',
      'OBS_WEBSOCKET_OUTPUT_STOPPED',
    ]);
    expect((await c.call('GetStreamStatus')).outputActive).toBe(false);
    await waitFor(() => sink!.openConnections() === 0, {
      what: 'the publisher to leave the RTMP server',
      intervalMs: 50,
    });
  });

  it('OBS quitting (SIGINT): ExitStarted, then closed as lost; pending calls reject; no process left', async () => {
    const c = client();
    const exits: number[] = [];
    const closed: ObsClosedEvent[] = [];
    c.on('ExitStarted', () => exits.push(Date.now()));
    c.on('closed', (e) => closed.push(e));
    await c.connect(obs!.url, obs!.password);
    const t0 = Date.now();
    const stopping = obs!.stop('SIGINT');
    const err = await waitFor(() => closed[0], { what: 'closed', intervalMs: 50 });
    console.log(
      `[obs-real] SIGINT -> closed ${err.code} "${err.reason}" after ${Date.now() - t0} ms; ExitStarted seen: ${exits.length > 0}`,
    );
    expect(err).toMatchObject({ code: 1001, classification: 'lost', wasConnected: true });
    expect(exits).toHaveLength(1);
    await expect(c.call('GetVersion')).rejects.toMatchObject({ kind: 'not-connected' });
    await stopping;
    expect(obs!.readLog()).toMatch(/Number of memory leaks/); // a clean shutdown ends with the profiler summary
    for (const pid of [obs!.pid, obs!.wrapperPid, obs!.xvfbPid])
      if (pid !== undefined) expect(isAlive(pid)).toBe(false);
  });
});

describe('obs-rig without OBS', () => {
  it('passes --disable-shutdown-check only to OBS 30.0-31.1, --multi always', () => {
    expect(obsArgs([29, 0, 2])).toEqual(['--minimize-to-tray', '--multi']);
    expect(obsArgs([30, 2, 0])).toContain('--disable-shutdown-check');
    expect(obsArgs([31, 1, 0])).toContain('--disable-shutdown-check');
    expect(obsArgs([31, 2, 0])).not.toContain('--disable-shutdown-check');
  });

  it('obsAvailable() looks on PATH', () => {
    const saved = process.env.PATH;
    try {
      process.env.PATH = '/nonexistent';
      expect(obsAvailable()).toBe(false);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describeObsSkip('obs-rig', () => {
  const LUA = [
    'obs = obslua',
    'function script_description() return "rig check" end',
    'function script_load(settings) obs.script_log(obs.LOG_INFO, "RIG_MARK=" .. tostring(os.getenv("RIG_MARK"))) end',
  ].join('\n');

  it('writes OBS reconnect settings, extra global.ini, env and a Lua script that OBS picks up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-rig-lua-'));
    const script = join(dir, 'rig-check.lua');
    writeFileSync(script, LUA);
    const obs = await startObs({
      reconnect: { enabled: false, retryDelaySec: 3, maxRetries: 7 },
      // studio mode is a global.ini setting OBS 29 restores at start-up, and obs-websocket can read it back
      extraGlobalIni: '[BasicWindow]\nPreviewProgramMode=true\n',
      env: { RIG_MARK: 'from-env' },
      sceneCollectionJson: { modules: { 'scripts-tool': [{ path: script, settings: {} }] } },
    });
    const c = new ObsClient({ createSocket: () => new JsonOBSWebSocket() });
    try {
      await c.connect(obs.url, obs.password);
      const param = async (parameterName: string) =>
        (await c.call('GetProfileParameter', { parameterCategory: 'Output', parameterName })).parameterValue;
      expect([await param('Reconnect'), await param('RetryDelay'), await param('MaxRetries')]).toEqual([
        'false',
        '3',
        '7',
      ]);
      expect((await c.call('GetStudioModeEnabled')).studioModeEnabled).toBe(true);
      expect(await c.call('GetVideoSettings')).toMatchObject({
        baseWidth: 640,
        baseHeight: 360,
        outputWidth: 640,
        fpsNumerator: 30,
      });
      expect(readFileSync(join(obs.configDir, 'global.ini'), 'utf8')).toContain(`ServerPort=${obs.port}`);
      await waitFor(() => /Loaded lua script: rig-check\.lua/.test(obs.readLog()), {
        what: 'the Lua script in the log',
        intervalMs: 50,
      });
      expect(obs.readLog()).toContain('RIG_MARK=from-env');
      expect(obs.logDir.startsWith(obs.home)).toBe(true);
    } finally {
      await c.disconnect();
      await obs.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    for (const pid of [obs.pid, obs.wrapperPid, obs.xvfbPid]) if (pid !== undefined) expect(isAlive(pid)).toBe(false);
  });

  it('an OBS that exits during start-up is reported, and nothing is left running', async () => {
    const err = (await startObs({ extraArgs: ['--help'] }).catch((e: unknown) => e)) as Error & { rigPids?: number[] };
    expect(err.message).toMatch(/exited/);
    expect(err.rigPids?.length).toBeGreaterThan(0);
    for (const pid of err.rigPids ?? []) expect(isAlive(pid)).toBe(false);
  });
});
