/**
 * Real OBS 29 (headless, via the rig) streaming into the sandbox cloud (in-process): URLs minted with
 * LiveApiClient over HTTP with the sandbox's generated credentials, presence read with
 * DescribeChannelParticipants, faults injected on the handle. OBS's own auto-reconnect is set explicitly for
 * every scenario (SetProfileParameter, read back; OBS reads it at each StartStream). Timings are printed, not
 * asserted. Every wait has a deadline; polls await real responses.
 */
import JsonOBSWebSocket from 'obs-websocket-js/json';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { LiveApiClient } from '../../script/cloud/api-client.js';
import { startSandbox, type SandboxEvent, type SandboxHandle } from '../../script/sandbox/index.js';
import { ObsClient, type StreamStateChanged } from '../../shared/obs-client.js';
import { describeObsSkip, startObs, type ObsHandle } from '../helpers/obs-rig.js';
import { isAlive } from '../helpers/proc-tree.js';
import { EventLog, waitFor } from '../helpers/wait-for.js';
import {
  APP,
  RECONNECTED,
  RECONNECTING,
  RECONNECT_OFF,
  RECONNECT_ON,
  STARTED,
  STARTING,
  STOPPED,
  obsStreamControl,
  sandboxChannels,
  say,
  short,
} from '../helpers/obs-sandbox-session.js';

describeObsSkip('real OBS 29 -> sandbox cloud (in-process)', () => {
  let sb: SandboxHandle | undefined;
  let obs: ObsHandle | undefined;
  let api: LiveApiClient;
  const obsClient = new ObsClient({
    createSocket: () => new JsonOBSWebSocket(),
    callTimeoutMs: 5_000,
    connectTimeoutMs: 10_000,
  });
  const obsEvents = new EventLog<StreamStateChanged>();
  const sbEvents: SandboxEvent[] = [];
  const sbLog: string[] = [];
  obsClient.on('StreamStateChanged', (e) => obsEvents.push(e));

  beforeAll(async () => {
    // apiPort/rtmpPort 0: any free port, so a developer's sandbox or another test's never collides with ours
    [sb, obs] = await Promise.all([
      startSandbox({ apiPort: 0, rtmpPort: 0, log: (l) => sbLog.push(l), onEvent: (e) => sbEvents.push(e) }),
      startObs({ reconnect: RECONNECT_ON }),
    ]);
    api = new LiveApiClient({ endpoint: sb.endpoint, credentials: sb.credentials, timeoutMs: 5_000 });
    await obsClient.connect(obs.url, obs.password);
    say(
      `OBS ${obs.version.join('.')} up in ${obs.startupMs} ms; sandbox API ${sb.endpoint}, RTMP ingest port ${sb.rtmpPort}`,
    );
  });

  afterAll(async () => {
    if (obsClient.state === 'connected')
      await stopStream().catch((e: unknown) => say(`afterAll: could not stop the stream: ${String(e)}`));
    await obsClient.disconnect();
    await obs?.stop();
    await sb?.stop();
    if (obs)
      for (const pid of [obs.pid, obs.wrapperPid, obs.xvfbPid])
        if (pid !== undefined) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  });

  function onFailureDump(): void {
    onTestFailed(() => {
      say(`OBS stream states: ${obsEvents.entries.map((e) => short(e.event.outputState)).join(' ')}`);
      say(`sandbox log:\n  ${sbLog.slice(-30).join('\n  ')}`);
      say(`OBS log tail:\n${obs?.readLog().split('\n').slice(-30).join('\n')}`);
    });
  }
  const { nextState, setReconnect, startStream, stopStream } = obsStreamControl(obsClient, obsEvents);
  const { users, waitPresent, waitAbsent, mint, acceptedFor, streamNameOf } = sandboxChannels(() => api, sbEvents);

  it('(a) goes live: minted URL -> rtmp_custom -> STARTED -> the publisher is listed; StopStream -> it leaves', async () => {
    onFailureDump();
    const ch = 'room-a';
    await setReconnect(RECONNECT_ON);
    const url = await mint(ch, 'obs-a');
    // the auth token lives only in the key: OBS logs the Server field, never the key
    const token = /[?&]auth_key=([^&]+)/.exec(url.streamKey)?.[1];
    expect(token, 'auth_key in the stream key').toBeTruthy();
    expect(url.server).not.toContain('auth_key');
    expect(url.server).not.toContain(token!);
    expect(url.server.startsWith(`rtmp://127.0.0.1:${sb!.rtmpPort}/`)).toBe(true);
    expect(`${url.server}/${url.streamKey}`).toBe(url.rtmpAddress);

    const t0 = await startStream(url.server, url.streamKey);
    const started = await nextState([STARTED, STOPPED]);
    expect(started.event).toMatchObject({ outputState: STARTED, outputActive: true });
    await waitPresent(ch, 'obs-a');
    const present = Date.now();
    say(
      `(a) StartStream -> STARTED ${started.at - t0} ms; -> listed by DescribeChannelParticipants ${present - t0} ms`,
    );
    expect(acceptedFor(streamNameOf(url))).toHaveLength(1);
    expect(obs!.readLog()).toContain(`Connecting to RTMP URL ${url.server}`);
    expect(obs!.readLog()).not.toContain(token!);

    const t1 = Date.now();
    await obsClient.call('StopStream');
    const stopped = await nextState([STOPPED]);
    await waitAbsent(ch, 'obs-a');
    say(`(a) StopStream -> STOPPED ${stopped.at - t1} ms; -> unlisted ${Date.now() - t1} ms`);
    expect(await users(ch)).toEqual([]);
  });

  it("(b) a kick drops OBS and unlists the publisher; OBS's own reconnect (URL still valid) brings it back; StopStream -> it leaves", async () => {
    onFailureDump();
    const ch = 'room-b';
    await setReconnect(RECONNECT_ON);
    const url = await mint(ch, 'obs-b');
    const t0 = await startStream(url.server, url.streamKey);
    expect((await nextState([STARTED, STOPPED])).event.outputState).toBe(STARTED);
    await waitPresent(ch, 'obs-b');
    say(`(b) live and listed ${Date.now() - t0} ms after StartStream`);
    const kickedBefore = sb!.stats().publishes.ended.kicked;

    const tKick = Date.now();
    expect(sb!.faults.kick({ appId: APP, channelId: ch, userId: 'obs-b' })).toBe(1);
    // unlisted at once; OBS notices the dropped socket on its next write and retries 1 s later. The check is
    // valid as long as that retry was not yet accepted when the listing was answered (the sandbox is in-process).
    const listedAfterKick = await users(ch);
    if (acceptedFor(streamNameOf(url)).length === 1) expect(listedAfterKick).not.toContain('obs-b');
    else
      say(
        '(b) OBS reconnected before the first listing after the kick was answered (a slow machine); absence not checked',
      );
    const drop = await nextState([RECONNECTING, STOPPED]);
    say(`(b) kick -> OBS ${short(drop.event.outputState)} ${drop.at - tKick} ms`);
    expect(sb!.stats().publishes.ended.kicked).toBe(kickedBefore + 1);
    expect(drop.event.outputState).toBe(RECONNECTING); // auto-reconnect is on

    const back = await nextState([RECONNECTED, STOPPED], 20_000);
    expect(back.event.outputState).toBe(RECONNECTED);
    await waitPresent(ch, 'obs-b');
    say(`(b) kick -> OBS's own reconnect RECONNECTED ${back.at - tKick} ms; -> listed again ${Date.now() - tKick} ms`);
    expect(acceptedFor(streamNameOf(url))).toHaveLength(2);

    const t1 = Date.now();
    await obsClient.call('StopStream');
    const stopped = await nextState([STOPPED]);
    await waitAbsent(ch, 'obs-b');
    say(`(b) StopStream -> STOPPED ${stopped.at - t1} ms; -> unlisted ${Date.now() - t1} ms`);
  });

  // A refused publish is refused before the ingest answers it (an onStatus error, never NetStream.Publish.Start),
  // as the real cloud refuses: OBS's first connection then fails, which goes straight to STOPPED without OBS's
  // own retries, and a retry that is refused fails that retry (one more RECONNECTING, never RECONNECTED).
  it('(c) an expired URL is refused before OBS is answered (reason expired): the user never joins; OBS goes STARTING -> STOPPED, no STARTED, no retries', async () => {
    onFailureDump();
    const ch = 'room-c';
    await setReconnect(RECONNECT_ON); // OBS's default; a first connection that fails is not retried anyway
    const url = await mint(ch, 'obs-c', 60);
    const expiredBefore = sb!.stats().publishes.rejected.expired;
    sb!.faults.shiftClock(120); // the cloud's clock is now past the URL's expiry
    try {
      const t0 = await startStream(url.server, url.streamKey);
      const end = await nextState([STOPPED, STARTED, RECONNECTING]);
      const states = obsEvents.sinceMark().map((e) => e.outputState);
      say(
        `(c) StartStream -> OBS ${short(end.event.outputState)} ${end.at - t0} ms; states: ${states.map(short).join(' ')}`,
      );
      expect(states).toEqual([STARTING, STOPPED]);
      expect(sb!.stats().publishes.rejected.expired).toBe(expiredBefore + 1); // no retry by OBS
      expect(
        sbEvents
          .filter((e) => e.type === 'publish-rejected' && e.streamName === streamNameOf(url))
          .map((e) => (e as { reason: string }).reason),
      ).toEqual(['expired']);
      // OBS's librtmp read the refusal: it logs the onStatus code and description
      const obsLog = obs!.readLog().split('\n');
      const denied = obsLog.findIndex((l) => l.includes('NetStream.Publish.Denied'));
      expect(denied, 'NetStream.Publish.Denied in the OBS log').toBeGreaterThanOrEqual(0);
      say(`(c) OBS log: ${obsLog.slice(Math.max(0, denied - 1), denied + 1).join(' | ')}`);
      expect(acceptedFor(streamNameOf(url))).toEqual([]);
      expect(await users(ch)).toEqual([]);
      await stopStream();
      expect(await users(ch)).toEqual([]);
      expect(acceptedFor(streamNameOf(url))).toEqual([]);
    } finally {
      sb!.faults.shiftClock(-120);
    }
  });

  it("(c2) a URL that expired while live: after a kick, OBS's own retries (same key) are each refused: RECONNECTING again, never RECONNECTED; the user stays away", async () => {
    onFailureDump();
    const ch = 'room-c2';
    await setReconnect(RECONNECT_ON);
    const url = await mint(ch, 'obs-c2', 60);
    await startStream(url.server, url.streamKey);
    expect((await nextState([STARTED, STOPPED])).event.outputState).toBe(STARTED);
    await waitPresent(ch, 'obs-c2');
    const expiredBefore = sb!.stats().publishes.rejected.expired;
    sb!.faults.shiftClock(120); // expires the URL; the live publish is not cut
    try {
      expect(await users(ch)).toEqual(['obs-c2']);
      obsEvents.mark();
      const tKick = Date.now();
      expect(sb!.faults.kick({ appId: APP, channelId: ch, userId: 'obs-c2' })).toBe(1);
      expect((await nextState([RECONNECTING, STOPPED])).event.outputState).toBe(RECONNECTING);
      // two of OBS's retries (1 s, then about 1.5 s later), each refused as expired
      await waitFor(() => sb!.stats().publishes.rejected.expired >= expiredBefore + 2, {
        what: "two of OBS's retries refused as expired",
        timeoutMs: 15_000,
      });
      // each refused retry is a failed retry: OBS schedules the next one (RECONNECTING), it does not report RECONNECTED
      await waitFor(() => obsEvents.sinceMark().filter((e) => e.outputState === RECONNECTING).length >= 3, {
        what: 'a RECONNECTING per failed retry',
        timeoutMs: 5_000,
      });
      const states = obsEvents.sinceMark().map((e) => e.outputState);
      say(
        `(c2) kick -> ${sb!.stats().publishes.rejected.expired - expiredBefore} retries refused in ${Date.now() - tKick} ms; states: ${states.map(short).join(' ')}`,
      );
      expect(states).not.toContain(RECONNECTED);
      expect(states).not.toContain(STARTED);
      expect(new Set(states)).toEqual(new Set([RECONNECTING]));
      expect(acceptedFor(streamNameOf(url))).toHaveLength(1); // only the first publish, before the expiry
      expect(await users(ch)).toEqual([]);
      await stopStream();
      expect(await users(ch)).toEqual([]);
    } finally {
      sb!.faults.shiftClock(-120);
    }
  });

  it('(d) a forged key (one character of auth_key altered) is refused before OBS is answered (reason forged); OBS (no auto-reconnect): STARTING -> STOPPED, no STARTED', async () => {
    onFailureDump();
    const ch = 'room-d';
    await setReconnect(RECONNECT_OFF);
    const url = await mint(ch, 'obs-d');
    const last = url.streamKey.at(-1)!;
    const forged = url.streamKey.slice(0, -1) + (last === '0' ? '1' : '0');
    const forgedBefore = sb!.stats().publishes.rejected.forged;
    const t0 = await startStream(url.server, forged);
    const end = await nextState([STOPPED]);
    const states = obsEvents.sinceMark().map((e) => e.outputState);
    say(`(d) StartStream -> OBS STOPPED ${end.at - t0} ms; states: ${states.map(short).join(' ')}`);
    expect(states).toEqual([STARTING, STOPPED]); // no STARTED (and no RECONNECTING: auto-reconnect off, as set)
    expect(sb!.stats().publishes.rejected.forged).toBe(forgedBefore + 1);
    expect(
      sbEvents.some(
        (e) => e.type === 'publish-rejected' && e.streamName === streamNameOf(url) && e.reason === 'forged',
      ),
    ).toBe(true);
    expect(acceptedFor(streamNameOf(url))).toEqual([]);
    expect(await users(ch)).toEqual([]);
    // the STOPPED event can arrive a moment before GetStreamStatus reports the output inactive (seen under load)
    await waitFor(async () => !(await obsClient.call('GetStreamStatus')).outputActive, {
      what: 'OBS output inactive',
      timeoutMs: 5_000,
    });
  });

  it('(e) silent removal: the user is unlisted while OBS keeps streaming (outputActive, bytes growing, no drop)', async () => {
    onFailureDump();
    const ch = 'room-e';
    await setReconnect(RECONNECT_OFF); // nothing may hide a drop here
    const url = await mint(ch, 'obs-e');
    await startStream(url.server, url.streamKey);
    expect((await nextState([STARTED, STOPPED])).event.outputState).toBe(STARTED);
    await waitPresent(ch, 'obs-e');

    const tRemove = Date.now();
    expect(sb!.faults.remove({ appId: APP, channelId: ch, userId: 'obs-e' })).toBe(1);
    await waitAbsent(ch, 'obs-e');
    say(`(e) remove -> unlisted ${Date.now() - tRemove} ms`);
    const before = await obsClient.call('GetStreamStatus');
    expect(before).toMatchObject({ outputActive: true, outputReconnecting: false });
    const grown = await waitFor(
      async () => {
        const s = await obsClient.call('GetStreamStatus');
        return s.outputActive && s.outputBytes > before.outputBytes && s;
      },
      { what: 'outputBytes growing after the removal' },
    );
    expect(grown.outputReconnecting).toBe(false);
    expect(obsEvents.since()).toEqual([]); // no RECONNECTING, no STOPPED
    expect(sb!.stats().publishers.filter((p) => p.streamName === streamNameOf(url))).toMatchObject([
      { userId: 'obs-e', listed: false },
    ]);
    expect(await users(ch)).not.toContain('obs-e');

    await obsClient.call('StopStream');
    await nextState([STOPPED]);
    await waitFor(() => sb!.stats().publishers.every((p) => p.streamName !== streamNameOf(url)), {
      what: 'the RTMP session to end',
    });
  });
});
