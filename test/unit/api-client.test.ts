import { describe, expect, it, vi } from 'vitest';
import { LiveApiClient, parseEndpoint } from '../../script/cloud/api-client.js';
import { ApiError, classify } from '../../script/cloud/errors.js';
import { TokenBucket } from '../../script/cloud/rate-limit.js';
import { fakeClock } from '../helpers/fake-clock.js';

const SECRET = 'S3cr3t-never-printed-0123456789';
const CREDS = { accessKeyId: 'LTAItestkey', accessKeySecret: SECRET };

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

function scripted(replies: Reply[], now: () => number) {
  const calls: { url: URL; init: RequestInit; at: number }[] = [];
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: new URL(String(input)), init: init ?? {}, at: now() });
    const r = replies.length > 1 ? replies.shift()! : replies[0]!;
    if (r instanceof Error) throw r;
    return new Response(r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body), {
      status: r.status,
      headers: r.headers,
    });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

function client(replies: Reply[], extra: Partial<ConstructorParameters<typeof LiveApiClient>[0]> = {}) {
  const clock = fakeClock();
  const net = scripted(replies, clock.now);
  const c = new LiveApiClient({
    endpoint: 'https://live.aliyuncs.com',
    credentials: CREDS,
    fetch: net.fetch,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    nonce: () => 'nonce',
    limiter: new TokenBucket(),
    ...extra,
  });
  return { c, clock, calls: net.calls };
}

const CREATE = { AppId: 'app1', ChannelId: 'room1', UserId: 'obs1', DisplayName: '主播 A*~' };
const ADDRESS = 'rtmp://push.example.com/rtcdev1/H4sIAAAA_stream?auth_key=1700492701-6e33-0-c6d7e3a9';
const err = (status: number, Code: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { RequestId: `REQ-${Code}`, HostId: 'live.aliyuncs.com', Code, Message: `${Code} happened` },
  headers,
});

describe('CreateRoomRealTimeStreamAddress', () => {
  it('sends a V3-signed GET with every parameter in the query and returns the split URL', async () => {
    const { c, calls, clock } = client([{ status: 200, body: { RequestId: 'R1', RtmpAddress: ADDRESS } }]);
    const url = await c.createRoomRealTimeStreamAddress({ ...CREATE, ExpireTime: 600 });
    expect(url).toMatchObject({
      requestId: 'R1',
      rtmpAddress: ADDRESS,
      server: 'rtmp://push.example.com/rtcdev1',
      streamKey: 'H4sIAAAA_stream?auth_key=1700492701-6e33-0-c6d7e3a9',
    });
    expect(url.expiresAt).toBe(clock.now() + 600_000);
    const { url: u, init } = calls[0]!;
    expect(init.method).toBe('GET');
    expect(u.origin).toBe('https://live.aliyuncs.com');
    expect(u.search).toBe(
      '?AppId=app1&ChannelId=room1&DisplayName=%E4%B8%BB%E6%92%AD%20A%2A~&ExpireTime=600&UserId=obs1',
    );
    const h = init.headers as Record<string, string>;
    expect(h.accept).toBe('application/json');
    expect(h['x-acs-action']).toBe('CreateRoomRealTimeStreamAddress');
    expect(h['x-acs-version']).toBe('2016-11-01');
    expect(h['x-acs-date']).toBe('2026-11-25T12:00:00Z');
    expect(h.authorization).toMatch(
      /^ACS3-HMAC-SHA256 Credential=LTAItestkey,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.stringify(init)).not.toContain(SECRET);
  });

  it('sends the STS token as x-acs-security-token and signs it', async () => {
    const { c, calls } = client([{ status: 200, body: { RequestId: 'R1', RtmpAddress: ADDRESS } }], {
      credentials: { ...CREDS, securityToken: 'CAIStoken' },
    });
    await c.createRoomRealTimeStreamAddress(CREATE);
    const h = calls[0]!.init.headers as Record<string, string>;
    expect(h['x-acs-security-token']).toBe('CAIStoken');
    expect(h.authorization).toContain('x-acs-security-token');
  });

  it('rejects invalid input before any request, naming the field', async () => {
    const { c, calls } = client([{ status: 200, body: {} }]);
    await expect(c.createRoomRealTimeStreamAddress({ ...CREATE, UserId: 'bad id' })).rejects.toMatchObject({
      kind: 'input',
      message: expect.stringMatching(/^UserId: /),
    });
    expect(calls).toHaveLength(0);
  });

  it('treats a success body without a usable RtmpAddress as an unexpected response (not retried)', async () => {
    const { c, calls } = client([{ status: 200, body: { RequestId: 'R9', RtmpAddress: 'http://nope/x' } }]);
    await expect(c.createRoomRealTimeStreamAddress(CREATE)).rejects.toMatchObject({
      kind: 'response',
      requestId: 'R9',
    });
    expect(calls).toHaveLength(1);
  });
});

describe('DescribeChannelParticipants', () => {
  it('POSTs with an empty body and pages until every user is seen, flattening comma-joined items', async () => {
    const { c, calls } = client([
      {
        status: 200,
        body: {
          RequestId: 'P1',
          Times: 1557909133,
          TotalNum: 23,
          TotalPage: 3,
          UserList: ['u01,u02,u03,u04,u05,u06,u07,u08,u09,u10'],
        },
      },
      {
        status: 200,
        body: { RequestId: 'P2', TotalNum: 23, TotalPage: 3, UserList: ['u11,u12,u13,u14,u15', 'u16,u17,u18,u19,u20'] },
      },
      { status: 200, body: { RequestId: 'P3', TotalNum: 23, TotalPage: 3, UserList: ['u21,u22,u23'] } },
    ]);
    const p = await c.describeChannelParticipants({ AppId: 'app1', ChannelId: 'room1' });
    expect(p.users).toHaveLength(23);
    expect(p.users[22]).toBe('u23');
    expect(p.total).toBe(23);
    expect(p.requestIds).toEqual(['P1', 'P2', 'P3']);
    expect(calls.map((x) => x.url.searchParams.get('PageNum'))).toEqual(['1', '2', '3']);
    expect(
      calls.every(
        (x) =>
          x.init.method === 'POST' &&
          x.init.body === undefined &&
          (x.init.headers as Record<string, string>)['x-acs-content-sha256'] ===
            'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ),
    ).toBe(true);
  });

  it('stops on an empty page even if TotalNum promised more', async () => {
    const { c, calls } = client([
      { status: 200, body: { RequestId: 'P1', TotalNum: 30, TotalPage: 3, UserList: ['a,b'] } },
      { status: 200, body: { RequestId: 'P2', TotalNum: 30, TotalPage: 3, UserList: [] } },
    ]);
    const p = await c.describeChannelParticipants({ AppId: 'app1', ChannelId: 'room1' });
    expect(p.users).toEqual(['a', 'b']);
    expect(calls).toHaveLength(2);
  });
});

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

describe('endpoint', () => {
  it('accepts https and local http, refuses plain http elsewhere', () => {
    expect(parseEndpoint('live.aliyuncs.com').origin).toBe('https://live.aliyuncs.com');
    expect(parseEndpoint('http://127.0.0.1:4467').origin).toBe('http://127.0.0.1:4467');
    expect(() => parseEndpoint('http://live.aliyuncs.com')).toThrow(/only for 127.0.0.1/);
    expect(() => parseEndpoint('ftp://x')).toThrow(/http/);
  });
});
