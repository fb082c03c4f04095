/** LiveApiClient: error classes and retry decisions. */
import { describe, expect, it, vi } from 'vitest';
import { LiveApiClient } from '../../script/cloud/api-client.js';
import { ApiError, classify } from '../../script/cloud/errors.js';
import { TokenBucket } from '../../script/cloud/rate-limit.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { ADDRESS, CREATE, CREDS, SECRET, client, err } from '../helpers/api-client-fixtures.js';

describe('error classes and retry decisions', () => {
  it.each([
    [400, 'Throttling.User', 'throttling'],
    [403, 'Throttling.Api', 'throttling'],
    [400, 'Throttling', 'throttling'],
    [500, 'ServerError', 'server'],
    [500, 'InternalError', 'server'],
    [503, 'ServiceUnavailable', 'server'],
  ])('%i %s is %s and retried up to the attempt limit', async (status, code, kind) => {
    const { c, calls, clock } = client([err(status, code)]);
    const e = await c.createRoomRealTimeStreamAddress(CREATE).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ kind, code, status, requestId: `REQ-${code}`, retryable: true });
    expect(calls).toHaveLength(4);
    expect(clock.sleeps).toHaveLength(3);
    expect(Math.min(...clock.sleeps)).toBeGreaterThanOrEqual(100);
  });

  it.each([
    [400, 'InputInvalid', 'input'],
    [400, 'MissingParameter', 'input'],
    [404, 'ResourceNotExist', 'input'],
    [403, 'NoAuth', 'auth'],
    [403, 'Forbidden.RAM', 'auth'],
    [404, 'InvalidAccessKeyId.NotFound', 'auth'],
    [400, 'SignatureDoesNotMatch', 'signature'],
    [400, 'InvalidTimeStamp.Expired', 'signature'],
    [400, 'SignatureNonceUsed', 'signature'],
  ])('%i %s is %s and never retried', async (status, code, kind) => {
    const { c, calls } = client([err(status, code), { status: 200, body: { RequestId: 'R', RtmpAddress: ADDRESS } }]);
    await expect(c.createRoomRealTimeStreamAddress(CREATE)).rejects.toMatchObject({
      kind,
      code,
      retryable: false,
      message: `${code} happened`,
    });
    expect(calls).toHaveLength(1);
  });

  it('retries a network error, then succeeds', async () => {
    const { c, calls } = client([
      new TypeError('fetch failed'),
      { status: 200, body: { RequestId: 'R2', RtmpAddress: ADDRESS } },
    ]);
    await expect(c.createRoomRealTimeStreamAddress(CREATE)).resolves.toMatchObject({ requestId: 'R2' });
    expect(calls).toHaveLength(2);
  });

  it('puts a deadline on every attempt and retries a timeout', async () => {
    vi.useFakeTimers();
    try {
      let n = 0;
      const fetch = ((_: unknown, init: RequestInit) => {
        n++;
        if (n === 2)
          return Promise.resolve(
            new Response(JSON.stringify({ RequestId: 'R3', RtmpAddress: ADDRESS }), { status: 200 }),
          );
        return new Promise((_r, reject) =>
          init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        );
      }) as unknown as typeof globalThis.fetch;
      const clock = fakeClock();
      const c = new LiveApiClient({
        endpoint: 'https://live.aliyuncs.com',
        credentials: CREDS,
        fetch,
        now: clock.now,
        sleep: clock.sleep,
        timeoutMs: 3_000,
        limiter: new TokenBucket(),
      });
      const p = c.createRoomRealTimeStreamAddress(CREATE);
      await vi.advanceTimersByTimeAsync(3_000);
      await expect(p).resolves.toMatchObject({ requestId: 'R3' });
      expect(n).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('honours x-acs-retry-after when it asks for longer than the backoff', async () => {
    const { c, clock } = client([
      err(400, 'Throttling.User', { 'x-acs-retry-after': '2500' }),
      { status: 200, body: { RequestId: 'R', RtmpAddress: ADDRESS } },
    ]);
    await c.createRoomRealTimeStreamAddress(CREATE);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(2500);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(2750);
  });

  it('backs off exponentially with jitter under sustained throttling (calls counted on a fake clock)', async () => {
    const draws = [0.99, 0.99, 0.99];
    const { c, calls, clock } = client([err(400, 'Throttling.User')], {
      random: () => draws.shift() ?? 0.99,
      maxAttempts: 4,
    });
    await expect(c.createRoomRealTimeStreamAddress(CREATE)).rejects.toMatchObject({ code: 'Throttling.User' });
    expect(calls).toHaveLength(4);
    // ceilings 200, 400, 800 ms (floor 100): each wait grows
    expect(clock.sleeps[0]).toBeGreaterThan(190);
    expect(clock.sleeps[1]).toBeGreaterThan(clock.sleeps[0]!);
    expect(clock.sleeps[2]).toBeGreaterThan(clock.sleeps[1]!);
    expect(clock.sleeps[2]).toBeLessThanOrEqual(800);
  });

  it('keeps the helper under 100 requests per second per AccessKey (token bucket)', async () => {
    const { c, calls, clock } = client([
      { status: 200, body: { RequestId: 'R', TotalNum: 1, TotalPage: 1, UserList: ['a'] } },
    ]);
    const start = clock.now();
    for (let i = 0; i < 300; i++) await c.describeChannelParticipants({ AppId: 'a', ChannelId: 'c' });
    expect(calls).toHaveLength(300);
    const elapsed = (clock.now() - start) / 1000;
    // burst of 5, then 90/s: 300 calls need at least (300 - 5) / 90 = 3.28 s
    expect(elapsed).toBeGreaterThanOrEqual(3.2);
    // no sliding one-second window holds 100 calls or more
    const at = calls.map((x) => x.at);
    const busiest = Math.max(...at.map((t0) => at.filter((t) => t >= t0 && t < t0 + 1000).length));
    expect(busiest).toBeLessThan(100);
    expect(busiest).toBeGreaterThan(80);
  });

  it('never echoes the secret, even when a gateway quotes it back', async () => {
    const { c } = client([
      {
        status: 400,
        body: {
          RequestId: 'R',
          Code: 'SignatureDoesNotMatch',
          Message: `The request signature does not conform. server string to sign is: ${SECRET}`,
        },
      },
    ]);
    const e = (await c.createRoomRealTimeStreamAddress(CREATE).catch((x: unknown) => x)) as ApiError;
    expect(e.message).not.toContain(SECRET);
    expect(JSON.stringify(e.toJSON())).not.toContain(SECRET);
  });

  it('classifies by Code before status', () => {
    expect(classify(403, 'Throttling.User')).toBe('throttling');
    expect(classify(502, 'Whatever')).toBe('server');
    expect(classify(401, 'X')).toBe('auth');
  });
});
