/**
 * The sandbox on real ports: LiveApiClient over HTTP, and real RTMP publishes from node-media-server's own
 * pure-JS RTMP client (no ffmpeg, no OBS). Presence, refusals, kicks and silent removal are observed through
 * the sandbox's events (awaited with deadlines, never fixed sleeps); what the ingest answers a publish is
 * observed through the client's onStatus messages.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LiveApiClient } from '../../script/cloud/api-client.js';
import { TokenBucket } from '../../script/cloud/rate-limit.js';
import { startSandbox, type SandboxHandle } from '../../script/sandbox/index.js';
import { loadNms } from '../../script/sandbox/ingest.js';
import { listenLocal } from '../../script/sandbox/listen.js';
import { assertPublishHookable } from '../../script/sandbox/publish-hook.js';
import { PUBLISH_START, eventLog, expectRefusedBeforeAnswer, publish } from '../helpers/rtmp-publish.js';

const CHANNEL = { AppId: 'demo', ChannelId: 'room1' };
let sb: SandboxHandle;
let client: LiveApiClient;
let rtmpOnPublishAtStart: unknown;
const events = eventLog();
const consoleLog = vi.spyOn(console, 'log');
const users = async () => (await client.describeChannelParticipants(CHANNEL)).users;
const newUrl = async (userId: string) =>
  (await client.createRoomRealTimeStreamAddress({ ...CHANNEL, UserId: userId, DisplayName: `OBS ${userId}` }))
    .rtmpAddress;

beforeAll(async () => {
  const { srcDir } = await loadNms();
  const Rtmp = createRequire(import.meta.url)(join(srcDir, 'protocol', 'rtmp.js')) as { prototype: object };
  rtmpOnPublishAtStart = Object.getOwnPropertyDescriptor(Rtmp.prototype, 'onPublish')?.value;
  expect(rtmpOnPublishAtStart).toBeTypeOf('function');
  sb = await startSandbox({ apiPort: 0, rtmpPort: 0, onEvent: events.push });
  client = new LiveApiClient({
    endpoint: sb.endpoint,
    credentials: sb.credentials,
    limiter: new TokenBucket(1_000, 1_000),
  });
});
afterAll(async () => {
  await sb?.stop();
  consoleLog.mockRestore();
});

describe('sandbox on real ports', () => {
  it('serves the API on 127.0.0.1 and points ingest URLs at its RTMP port', async () => {
    expect(sb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const address = await newUrl('obs-a');
    expect(address.startsWith(`rtmp://127.0.0.1:${sb.rtmpPort}/rtcdev`)).toBe(true);
  });

  it('presence follows a real RTMP publish: listed while live, gone when it ends', async () => {
    const pub = await publish(await newUrl('obs-a'));
    expect(await events.next('publish-accepted')).toMatchObject({ userId: 'obs-a' });
    // the accepted publish is answered as node-media-server answers it (and the status capture works)
    expect(pub.statuses()).toEqual([expect.objectContaining({ code: PUBLISH_START, level: 'status' })]);
    expect(await users()).toEqual(['obs-a']);
    pub.stop();
    expect(await events.next('publish-ended')).toMatchObject({ userId: 'obs-a', cause: 'disconnected' });
    expect(await users()).toEqual([]);
  });

  it('refuses a second simultaneous publish to one URL; the first stays live', async () => {
    const address = await newUrl('obs-b');
    const first = await publish(address);
    await events.next('publish-accepted');
    const second = await publish(address);
    expect(await events.next('publish-rejected')).toMatchObject({ reason: 'duplicate' });
    await expectRefusedBeforeAnswer(second, 'NetStream.Publish.BadName');
    expect(first.isClosed()).toBe(false);
    expect(first.statuses().map((s) => s.code)).toEqual([PUBLISH_START]);
    expect(await users()).toEqual(['obs-b']);
    first.stop();
    await events.next('publish-ended');
  });

  it('refuses unknown, forged and expired keys before answering (Publish.Denied, never Publish.Start) and drops the connection', async () => {
    const address = await newUrl('obs-c');
    const attempts: Array<[string, string]> = [
      ['unknown', address.replace(/\/([\w-]+)\?/, '/neverIssuedStreamName0001?')],
      ['forged', address.replace(/.$/, (c) => (c === '0' ? '1' : '0'))],
    ];
    for (const [reason, url] of attempts) {
      const pub = await publish(url);
      expect(await events.next('publish-rejected')).toMatchObject({ reason });
      await expectRefusedBeforeAnswer(pub, 'NetStream.Publish.Denied');
    }
    sb.faults.shiftClock(36_001);
    try {
      const late = await publish(address);
      expect(await events.next('publish-rejected')).toMatchObject({ reason: 'expired' });
      await expectRefusedBeforeAnswer(late, 'NetStream.Publish.Denied');
    } finally {
      sb.faults.shiftClock(-36_001);
    }
    expect(sb.stats().publishes.rejected).toMatchObject({ unknown: 1, forged: 1, expired: 1 });
    expect(await users()).toEqual([]);
    // the URL itself still works once the clock is back: the refusals left nothing behind
    const valid = await publish(address);
    await events.next('publish-accepted');
    expect(valid.statuses().map((s) => s.code)).toEqual([PUBLISH_START]);
    valid.stop();
    await events.next('publish-ended');
  });

  it("hooks only its own sessions: node-media-server's Rtmp prototype is left as it was", async () => {
    const { srcDir } = await loadNms();
    const Rtmp = createRequire(import.meta.url)(join(srcDir, 'protocol', 'rtmp.js')) as { prototype: object };
    expect(Object.getOwnPropertyDescriptor(Rtmp.prototype, 'onPublish')?.value).toBe(rtmpOnPublishAtStart);
  });

  it('kick closes the publisher connection and the user leaves', async () => {
    const pub = await publish(await newUrl('obs-d'));
    await events.next('publish-accepted');
    expect(sb.faults.kick({ appId: 'demo', channelId: 'room1', userId: 'obs-d' })).toBe(1);
    await pub.whenClosed();
    expect(await events.next('publish-ended')).toMatchObject({ cause: 'kicked' });
    expect(await users()).toEqual([]);
  });

  it('silent removal keeps the RTMP connection up; the user is back after republishing', async () => {
    const address = await newUrl('obs-e');
    const pub = await publish(address);
    await events.next('publish-accepted');
    expect(sb.faults.remove({ appId: 'demo', channelId: 'room1', userId: 'obs-e' })).toBe(1);
    expect(await users()).toEqual([]);
    expect(pub.isClosed()).toBe(false);
    pub.stop();
    await events.next('publish-ended');
    const again = await publish(address);
    await events.next('publish-accepted');
    expect(await users()).toEqual(['obs-e']);
    again.stop();
    await events.next('publish-ended');
  });

  it('exposes the control API over HTTP with the control token only', async () => {
    const stats = await fetch(`${sb.endpoint}/_sandbox/stats`, {
      headers: { authorization: `Bearer ${sb.controlToken}` },
    });
    expect(stats.status).toBe(200);
    expect(
      ((await stats.json()) as { calls: Record<string, number> }).calls.CreateRoomRealTimeStreamAddress,
    ).toBeGreaterThan(0);
    expect((await fetch(`${sb.endpoint}/_sandbox/stats`)).status).toBe(401);
  });

  it('keeps node-media-server quiet (nothing on stdout)', () => {
    expect(consoleLog).not.toHaveBeenCalled();
  });
});

describe('node-media-server internals the publish gate hooks', () => {
  it('the installed node-media-server has them', async () => {
    const { srcDir } = await loadNms();
    expect(() => assertPublishHookable(srcDir)).not.toThrow();
  });

  it('a node-media-server without them makes the sandbox refuse to start, with a clear error', () => {
    // a fake node-media-server 9.9.9 whose Rtmp answers publish in some other way (no onPublish)
    const root = mkdtempSync(join(tmpdir(), 'fake-nms-'));
    try {
      mkdirSync(join(root, 'src', 'protocol'), { recursive: true });
      mkdirSync(join(root, 'src', 'session'), { recursive: true });
      writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'node-media-server', version: '9.9.9' }));
      writeFileSync(
        join(root, 'src', 'protocol', 'rtmp.js'),
        'class Rtmp { sendStatusMessage() {} invokeHandler() { this.handlePublish(); } }\nmodule.exports = Rtmp;\n',
      );
      writeFileSync(
        join(root, 'src', 'session', 'rtmp_session.js'),
        'const Rtmp = require("../protocol/rtmp.js");\nmodule.exports = class { constructor() { this.rtmp = new Rtmp(); } };\n',
      );
      expect(() => assertPublishHookable(join(root, 'src'))).toThrow(
        /node-media-server 9\.9\.9 lacks Rtmp#onPublish.*4\.4\.x.*does not start/s,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('ports and shutdown', () => {
  it('a taken default port yields to a free one; an explicitly asked port does not', async () => {
    const holder = createServer();
    const port = await listenLocal(holder, 0, false);
    const other: Server[] = [createServer(), createServer()];
    try {
      const fallback = await listenLocal(other[0]!, port, true);
      expect(fallback).not.toBe(port);
      await expect(listenLocal(other[1]!, port, false)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await expect(startSandbox({ apiPort: port, rtmpPort: 0 })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      for (const s of [holder, ...other]) s.close();
    }
  });

  it('stop() closes both ports and can be called twice', async () => {
    const s = await startSandbox({ apiPort: 0, rtmpPort: 0 });
    await Promise.all([s.stop(), s.stop()]);
    for (const port of [s.apiPort, s.rtmpPort]) {
      const refused = await new Promise<boolean>((resolve) => {
        const sock = connect(port, '127.0.0.1');
        sock.once('connect', () => (sock.destroy(), resolve(false)));
        sock.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });
});
