/**
 * The emulator's operations and channel model: ingest URLs and their auth_key, the publish gate (what the
 * RTMP ingest asks when a publish command arrives, before answering it), presence, paging, fault injection, the control API, stats, and
 * LiveApiClient end to end through an injected fetch (no port). Fake clock throughout.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../script/cloud/errors.js';
import { appNameFor } from '../../script/sandbox/actions.js';
import { parseAuthKey, verifyAuthKey } from '../../script/sandbox/auth-key.js';
import { splitRtmpAddress } from '../../shared/rtmp-address.js';
import { PRIVATE_KEY, T0, setup } from '../helpers/emulator-fixture.js';

const USER = { appId: 'app1', channelId: 'room1', userId: 'obs-1' };
const listed = async (f: ReturnType<typeof setup>) =>
  (await f.client.describeChannelParticipants({ AppId: 'app1', ChannelId: 'room1' })).users;

describe('CreateRoomRealTimeStreamAddress', () => {
  it('points at the embedded ingest: one-segment app, opaque stream, type-A auth_key expiring at request time + ExpireTime', async () => {
    const f = setup();
    const address = await f.createUrl('obs-1');
    const { server, streamKey } = splitRtmpAddress(address);
    expect(server).toBe(`rtmp://127.0.0.1:1935/${appNameFor('app1')}`);
    expect(appNameFor('app1')).toMatch(/^rtcdev[0-9a-f]{8}$/);
    const [stream, query] = streamKey.split('?');
    expect(stream).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(stream).not.toContain('obs-1');
    const authKey = new URLSearchParams(query).get('auth_key')!;
    expect(parseAuthKey(authKey)?.timestamp).toBe(T0 / 1000 + 36_000);
    expect(
      verifyAuthKey({ app: appNameFor('app1'), stream: stream!, authKey, privateKey: PRIVATE_KEY, nowMs: T0 }),
    ).toMatchObject({ ok: true });
    const short = splitRtmpAddress(await f.createUrl('obs-2', { ExpireTime: '60' })).streamKey;
    expect(parseAuthKey(new URLSearchParams(short.split('?')[1]).get('auth_key')!)?.timestamp).toBe(T0 / 1000 + 60);
    expect(short.split('?')[0]).not.toBe(stream);
  });

  it('refuses a UserId held by another (simulated) user in the channel, not by its own live RTMP user', async () => {
    const f = setup();
    f.emu.faults.addUsers('app1', 'room1', ['sdk-user']);
    const r = await f.call(
      f.signed('CreateRoomRealTimeStreamAddress', {
        AppId: 'app1',
        ChannelId: 'room1',
        UserId: 'sdk-user',
        DisplayName: 'x',
      }),
    );
    expect({ status: r.status, code: r.body.Code }).toEqual({ status: 400, code: 'InputInvalid' });
    expect(f.publish(await f.createUrl('obs-1'), 's1').verdict.ok).toBe(true);
    await expect(f.createUrl('obs-1')).resolves.toMatch(/^rtmp:/);
  });
});

describe('publish gate and presence', () => {
  it('a user is listed while its publish is live, and the URL can be used again after it ends', async () => {
    const f = setup();
    const address = await f.createUrl();
    const first = f.publish(address, 's1');
    expect(first.verdict).toMatchObject({ ok: true, stream: { userId: 'obs-1' } });
    expect(await listed(f)).toEqual(['obs-1']);
    first.end();
    expect(await listed(f)).toEqual([]);
    expect(f.publish(address, 's2').verdict.ok).toBe(true);
    expect(await listed(f)).toEqual(['obs-1']);
    expect(f.events.map((e) => e.type).filter((t) => t.startsWith('publish'))).toEqual([
      'publish-accepted',
      'publish-ended',
      'publish-accepted',
    ]);
  });

  it('refuses unknown, forged and expired URLs, and a second publish to a live URL', async () => {
    const f = setup();
    const address = await f.createUrl();
    expect(f.publish(address.replace(/\/([\w-]{24})\?/, '/AAAAAAAAAAAAAAAAAAAAAAAA?'), 'u').verdict).toMatchObject({
      ok: false,
      reason: 'unknown',
    });
    expect(f.publish(address, 'f1', (k) => k.replace(/.$/, (c) => (c === '0' ? '1' : '0'))).verdict).toMatchObject({
      ok: false,
      reason: 'forged',
    });
    expect(f.publish(address, 'f2', (k) => k.replace(/^\d+/, (t) => String(Number(t) + 3600))).verdict).toMatchObject({
      ok: false,
      reason: 'forged',
    });
    expect(f.publish(address, 'f3', () => '').verdict).toMatchObject({ ok: false, reason: 'forged' });
    const live = f.publish(address, 'ok');
    expect(live.verdict.ok).toBe(true);
    expect(f.publish(address, 'dup').verdict).toMatchObject({ ok: false, reason: 'duplicate' });
    expect(live.state.closed).toBe(false);
    // expiry does not cut a live publish; the next publish with the expired URL fails
    expect(f.emu.faults.shiftClock(36_001)).toBe(36_001);
    expect(await listed(f)).toEqual(['obs-1']);
    live.end();
    expect(f.publish(address, 'late').verdict).toMatchObject({ ok: false, reason: 'expired' });
    expect(f.emu.stats().publishes).toEqual({
      accepted: 1,
      rejected: { unknown: 1, forged: 3, expired: 1, duplicate: 1 },
      ended: { disconnected: 1, kicked: 0, replaced: 0 },
    });
  });

  it('after a clock shift the API still answers and new URLs are valid on the shifted clock', async () => {
    const f = setup();
    f.emu.faults.shiftClock(7 * 24 * 3600);
    const address = await f.createUrl();
    expect(parseAuthKey(new URLSearchParams(address.split('?')[1]).get('auth_key')!)?.timestamp).toBe(
      T0 / 1000 + 7 * 24 * 3600 + 36_000,
    );
    expect(f.publish(address, 's1').verdict.ok).toBe(true);
    expect((await f.participants()).body.Times).toBe(T0 / 1000 + 7 * 24 * 3600);
  });

  it('a newer publish of the same UserId through another URL replaces the older session', async () => {
    const f = setup();
    const older = f.publish(await f.createUrl(), 's1');
    const newer = f.publish(await f.createUrl(), 's2');
    expect(newer.verdict.ok).toBe(true);
    expect(older.state.closed).toBe(true);
    expect(f.events).toContainEqual(
      expect.objectContaining({ type: 'publish-ended', cause: 'replaced', sessionId: 's1' }),
    );
    expect(await listed(f)).toEqual(['obs-1']);
    expect(f.emu.stats().publishers.map((p) => p.sessionId)).toEqual(['s2']);
  });

  it('kick closes the RTMP session and the user leaves at once', async () => {
    const f = setup();
    const p = f.publish(await f.createUrl(), 's1');
    expect(f.emu.faults.kick(USER)).toBe(1);
    expect(p.state.closed).toBe(true);
    expect(await listed(f)).toEqual([]);
    expect(f.events.at(-2)).toMatchObject({ type: 'publish-ended', cause: 'kicked', userId: 'obs-1' });
    expect(f.emu.faults.kick(USER)).toBe(0);
  });

  it('silent removal unlists the user while its RTMP stays up, until it publishes again', async () => {
    const f = setup();
    const address = await f.createUrl();
    const p = f.publish(address, 's1');
    expect(f.emu.faults.remove(USER)).toBe(1);
    expect(p.state.closed).toBe(false);
    expect(await listed(f)).toEqual([]);
    expect(f.emu.stats().publishers).toMatchObject([{ sessionId: 's1', listed: false }]);
    p.end();
    f.publish(address, 's2');
    expect(await listed(f)).toEqual(['obs-1']);
  });
});

describe('DescribeChannelParticipants paging', () => {
  it('pages newest first by default, one comma-joined UserList string per page', async () => {
    const f = setup();
    const ids = Array.from({ length: 23 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);
    expect(f.emu.faults.addUsers('app1', 'room1', ids)).toBe(23);
    const first = await f.participants();
    expect(first.body).toMatchObject({
      Times: T0 / 1000,
      TotalNum: 23,
      TotalPage: 3,
      UserList: [ids.slice(13).reverse().join(',')],
    });
    expect((await f.participants({ PageNum: '3' })).body.UserList).toEqual(['u03,u02,u01']);
    expect((await f.participants({ PageNum: '2', PageSize: '5', Order: 'asc' })).body).toMatchObject({
      TotalPage: 5,
      UserList: ['u06,u07,u08,u09,u10'],
    });
    expect((await f.participants({ PageNum: '4' })).body).toMatchObject({ TotalNum: 23, UserList: [] });
    const all = await f.client.describeChannelParticipants({ AppId: 'app1', ChannelId: 'room1' });
    expect(all.users).toHaveLength(23);
    expect(all.requestIds).toHaveLength(3);
    expect(f.emu.faults.removeUsers('app1', 'room1', ['u01', 'nobody'])).toBe(1);
    expect((await f.participants()).body.TotalNum).toBe(22);
  });

  it('an empty or unknown channel has no users', async () => {
    const f = setup();
    expect((await f.participants()).body).toMatchObject({ TotalNum: 0, TotalPage: 0, UserList: [] });
  });
});

describe('LiveApiClient against the emulator (injected fetch, no port)', () => {
  it('creates an ingest URL and sees its user once the publish is live', async () => {
    const f = setup();
    const url = await f.client.createRoomRealTimeStreamAddress({
      AppId: 'app1',
      ChannelId: 'room1',
      UserId: 'obs-1',
      DisplayName: 'OBS 直播',
    });
    expect(url.server).toBe(`rtmp://127.0.0.1:1935/${appNameFor('app1')}`);
    expect(url.streamKey).toMatch(/^[\w-]{24}\?auth_key=/);
    expect(url.expiresAt).toBe(T0 + 36_000_000);
    f.publish(url.rtmpAddress, 's1');
    expect(await f.client.describeChannelParticipants({ AppId: 'app1', ChannelId: 'room1' })).toMatchObject({
      users: ['obs-1'],
      total: 1,
    });
  });

  it('retries injected 503s and an injected Throttling.User, honouring x-acs-retry-after', async () => {
    const f = setup();
    f.emu.faults.failNext('CreateRoomRealTimeStreamAddress', 2, { status: 503, code: 'ServiceUnavailable' });
    await f.client.createRoomRealTimeStreamAddress({
      AppId: 'app1',
      ChannelId: 'room1',
      UserId: 'obs-1',
      DisplayName: 'x',
    });
    expect(f.emu.stats().outcomes.CreateRoomRealTimeStreamAddress).toEqual({ ServiceUnavailable: 2, OK: 1 });
    f.emu.faults.failNext('DescribeChannelParticipants', 1, {
      status: 400,
      code: 'Throttling.User',
      message: 'Request was denied due to user flow control.',
      retryAfterMs: 1500,
    });
    const before = f.clock.now();
    await f.client.describeChannelParticipants({ AppId: 'app1', ChannelId: 'room1' });
    expect(f.clock.now() - before).toBeGreaterThanOrEqual(1500);
    expect(f.emu.stats().calls).toEqual({ CreateRoomRealTimeStreamAddress: 3, DescribeChannelParticipants: 2 });
  });

  it('maps gateway errors to the client error family (not retried)', async () => {
    const f = setup();
    f.emu.faults.failNext('*', 1, { status: 403, code: 'NoAuth', message: 'No permission.' });
    const err = await f.client
      .describeChannelParticipants({ AppId: 'app1', ChannelId: 'room1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'auth', code: 'NoAuth', status: 403, retryable: false });
    expect(f.emu.stats().calls.DescribeChannelParticipants).toBe(1);
  });
});

describe('control API (/_sandbox/*)', () => {
  const control = (f: ReturnType<typeof setup>, path: string, init: RequestInit = {}, token = f.emu.controlToken) =>
    f.emu.handle(
      new Request(`http://127.0.0.1:4467/_sandbox${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      }),
    );
  const fault = (f: ReturnType<typeof setup>, body: unknown) =>
    control(f, '/fault', { method: 'POST', body: JSON.stringify(body) });

  it('needs the control token', async () => {
    const f = setup();
    expect((await control(f, '/stats', {}, 'wrong')).status).toBe(401);
    expect((await f.emu.handle(new Request('http://127.0.0.1:4467/_sandbox/stats'))).status).toBe(401);
  });

  it('applies faults sent as data and reports stats without secrets', async () => {
    const f = setup();
    f.publish(await f.createUrl(), 's1');
    expect(await (await fault(f, { kind: 'shift-clock', seconds: 120 })).json()).toEqual({
      ok: true,
      clockOffsetSeconds: 120,
    });
    expect(
      await (await fault(f, { kind: 'add-users', appId: 'app1', channelId: 'room1', userIds: ['a', 'b'] })).json(),
    ).toEqual({ ok: true, affected: 2 });
    expect(await (await fault(f, { kind: 'remove', ...USER })).json()).toEqual({ ok: true, affected: 1 });
    expect(
      await (
        await fault(f, {
          kind: 'fail-next',
          action: 'DescribeChannelParticipants',
          count: 2,
          status: 503,
          code: 'ServiceUnavailable',
        })
      ).json(),
    ).toEqual({ ok: true });
    const res = await control(f, '/stats');
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      clockOffsetSeconds: 120,
      issuedUrls: 1,
      pendingFailures: [{ action: 'DescribeChannelParticipants', remaining: 2 }],
      publishers: [{ userId: 'obs-1', listed: false }],
    });
    for (const secret of [f.emu.credentials.accessKeySecret, f.emu.controlToken, PRIVATE_KEY])
      expect(text).not.toContain(secret);
    expect(await (await fault(f, { kind: 'kick', ...USER })).json()).toEqual({ ok: true, affected: 1 });
    expect(await (await fault(f, { kind: 'reset' })).json()).toEqual({ ok: true });
    expect(f.emu.stats()).toMatchObject({ clockOffsetSeconds: 0, pendingFailures: [], publishers: [] });
  });

  it('answers 400 for bad faults, 405 for the wrong method, 404 for unknown routes', async () => {
    const f = setup();
    expect((await control(f, '/fault', { method: 'POST', body: '{' })).status).toBe(400);
    expect((await fault(f, { kind: 'explode' })).status).toBe(400);
    expect((await fault(f, { kind: 'add-users', appId: 'app1', channelId: 'room1', userIds: ['bad id'] })).status).toBe(
      400,
    );
    expect((await control(f, '/fault')).status).toBe(405);
    expect((await control(f, '/nope')).status).toBe(404);
  });
});
