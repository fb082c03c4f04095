/**
 * The emulator's gateway: V3 signatures (ours and the official @alicloud/openapi-util's), every error path
 * with its status and body, parameter rules, and flow control, all on a fake clock with no port.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'node:querystring';
import OpenApiUtil from '@alicloud/openapi-util';
import { describe, expect, it } from 'vitest';
import { createEmulator } from '../../script/sandbox/emulator.js';
import { formatAcsDate } from '../../script/cloud/sign-v3.js';
import { API_VERSION } from '../../shared/cloud-schemas.js';
import { ENDPOINT, HOST, T0, seededRandom, setup, type Answer } from '../helpers/emulator-fixture.js';

const official = (OpenApiUtil as unknown as { default?: typeof OpenApiUtil }).default ?? OpenApiUtil;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const CREATE = { AppId: 'app1', ChannelId: 'room1', UserId: 'obs-1', DisplayName: "直播 !'()*~ test" };

interface Parts {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A request as the official SDK builds it: its header set, its signer, its query-string encoder. */
function officialParts(
  f: ReturnType<typeof setup>,
  action: string,
  method: 'GET' | 'POST',
  query: Record<string, string>,
  nonce: string,
): Parts {
  const { accessKeyId, accessKeySecret, securityToken } = f.emu.credentials;
  const headers: Record<string, string> = {
    host: HOST,
    'x-acs-version': API_VERSION,
    'x-acs-action': action,
    'user-agent': 'AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2',
    'x-acs-date': formatAcsDate(f.clock.now()),
    'x-acs-signature-nonce': nonce,
    accept: 'application/json',
    'x-acs-content-sha256': sha256(''),
  };
  if (securityToken)
    Object.assign(headers, { 'x-acs-accesskey-id': accessKeyId, 'x-acs-security-token': securityToken });
  headers.Authorization = official.getAuthorization(
    { pathname: '/', method, query, headers } as never,
    'ACS3-HMAC-SHA256',
    sha256(''),
    accessKeyId,
    accessKeySecret,
  );
  return { method, url: `${ENDPOINT}/?${stringify(query)}`, headers, body: '' };
}

const toRequest = (p: Parts) =>
  new Request(p.url, { method: p.method, headers: p.headers, ...(p.method === 'POST' ? { body: p.body } : {}) });

function expectError(r: Answer, status: number, code: string) {
  expect({ status: r.status, code: r.body.Code }).toEqual({ status, code });
  expect(Object.keys(r.body)).toEqual(expect.arrayContaining(['RequestId', 'HostId', 'Code', 'Message']));
  expect(r.body.RequestId).toMatch(REQUEST_ID);
  expect(r.headers.get('x-acs-request-id')).toBe(r.body.RequestId);
  expect(r.body.HostId).toBe('live.aliyuncs.com');
}

describe('V3 signatures', () => {
  it('accepts requests signed by the official @alicloud/openapi-util, GET and POST', async () => {
    const f = setup();
    const create = await f.call(toRequest(officialParts(f, 'CreateRoomRealTimeStreamAddress', 'GET', CREATE, 'n1')));
    expect(create.status).toBe(200);
    expect(create.body.RequestId).toMatch(REQUEST_ID);
    expect(create.body.RtmpAddress).toMatch(
      /^rtmp:\/\/127\.0\.0\.1:1935\/rtcdev[0-9a-f]{8}\/[\w-]+\?auth_key=\d+-[0-9a-f]+-0-[0-9a-f]{32}$/,
    );
    const list = await f.call(
      toRequest(
        officialParts(
          f,
          'DescribeChannelParticipants',
          'POST',
          { AppId: 'app1', ChannelId: 'room1', PageSize: '5' },
          'n2',
        ),
      ),
    );
    expect(list.status).toBe(200);
  });

  it('accepts official STS requests (x-acs-accesskey-id, x-acs-security-token)', async () => {
    const f = setup({ sts: true });
    expect(f.emu.credentials.accessKeyId).toMatch(/^STS\./);
    expect(
      (await f.call(toRequest(officialParts(f, 'CreateRoomRealTimeStreamAddress', 'GET', CREATE, 'n1')))).status,
    ).toBe(200);
  });

  it.each([
    ['a query byte', (p: Parts) => void (p.url = p.url.replace('AppId=app1', 'AppId=app2'))],
    ['a signed header byte', (p: Parts) => void (p.headers['x-acs-signature-nonce'] += 'x')],
    ['the host', (p: Parts) => void (p.headers.host = '127.0.0.1:4468')],
    [
      'a signature byte',
      (p: Parts) =>
        void (p.headers.Authorization = p.headers.Authorization!.replace(/.$/, (c) => (c === '0' ? '1' : '0'))),
    ],
    ['the body', (p: Parts) => void (p.body = 'x')],
  ])(
    'rejects the same official request with %s altered (and the original still passes after)',
    async (_what, alter) => {
      const f = setup();
      const original = officialParts(
        f,
        'DescribeChannelParticipants',
        'POST',
        { AppId: 'app1', ChannelId: 'room1' },
        'n1',
      );
      const altered: Parts = { ...original, headers: { ...original.headers } };
      alter(altered);
      expectError(await f.call(toRequest(altered)), 400, 'SignatureDoesNotMatch');
      expect((await f.call(toRequest(original))).status).toBe(200);
    },
  );

  it('quotes the server string to sign in SignatureDoesNotMatch, never the secret', async () => {
    const f = setup();
    const wrong = { accessKeyId: f.emu.credentials.accessKeyId, accessKeySecret: 'not-the-secret' };
    const r = await f.call(f.signed('CreateRoomRealTimeStreamAddress', CREATE, { credentials: wrong }));
    expectError(r, 400, 'SignatureDoesNotMatch');
    expect(r.body.Message).toMatch(/server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);
    expect(JSON.stringify(r.body)).not.toContain(f.emu.credentials.accessKeySecret);
  });
});

describe('gateway errors', () => {
  const cases: Array<[string, (f: ReturnType<typeof setup>) => Request, number, string]> = [
    [
      'no x-acs-action',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-action'),
      400,
      'MissingParameter',
    ],
    [
      'an unknown action',
      (f) => withHeader(f.signed('DescribeChannelParticipants', {}), 'x-acs-action', 'DescribeLiveStreams'),
      404,
      'InvalidAction.NotFound',
    ],
    [
      'no x-acs-version',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-version'),
      400,
      'MissingParameter',
    ],
    [
      'another version',
      (f) => withHeader(f.signed('DescribeChannelParticipants', {}), 'x-acs-version', '2014-05-26'),
      400,
      'InvalidVersion',
    ],
    [
      'the other method',
      (f) => f.signed('CreateRoomRealTimeStreamAddress', CREATE, { method: 'POST' }),
      400,
      'UnsupportedHTTPMethod',
    ],
    [
      'no Authorization',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'authorization'),
      400,
      'IncompleteSignature',
    ],
    [
      'a malformed Authorization',
      (f) => withHeader(f.signed('DescribeChannelParticipants', {}), 'authorization', 'ACS3-HMAC-SHA256 Credential=x'),
      400,
      'IncompleteSignature',
    ],
    [
      'an unsigned x-acs-* header',
      (f) => withHeader(f.signed('DescribeChannelParticipants', {}), 'x-acs-extra', '1'),
      400,
      'IncompleteSignature',
    ],
    ['no x-acs-date', (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-date'), 400, 'MissingParameter'],
    [
      'no x-acs-signature-nonce',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-signature-nonce'),
      400,
      'MissingParameter',
    ],
    [
      'no x-acs-content-sha256',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-content-sha256'),
      400,
      'MissingParameter',
    ],
    [
      'an unknown AccessKeyId',
      (f) =>
        f.signed(
          'DescribeChannelParticipants',
          {},
          { credentials: { accessKeyId: 'LTAIunknown', accessKeySecret: 's' } },
        ),
      404,
      'InvalidAccessKeyId.NotFound',
    ],
    [
      'a malformed x-acs-date',
      (f) => f.signed('DescribeChannelParticipants', {}, { date: '2026-11-25 12:00:00' }),
      400,
      'InvalidTimeStamp.Format',
    ],
    [
      'a date 16 min behind',
      (f) => f.signed('DescribeChannelParticipants', {}, { date: formatAcsDate(T0 - 16 * 60_000) }),
      400,
      'InvalidTimeStamp.Expired',
    ],
    [
      'a date 16 min ahead',
      (f) => f.signed('DescribeChannelParticipants', {}, { date: formatAcsDate(T0 + 16 * 60_000) }),
      400,
      'InvalidTimeStamp.Expired',
    ],
    [
      'a body that does not match x-acs-content-sha256',
      (f) => withBody(f.signed('DescribeChannelParticipants', {}), 'x'),
      400,
      'SignatureDoesNotMatch',
    ],
    [
      'a repeated parameter',
      (f) =>
        new Request(f.signed('DescribeChannelParticipants', { AppId: 'a' }).url + '&AppId=b', {
          method: 'POST',
          headers: f.signed('DescribeChannelParticipants', { AppId: 'a' }).headers,
        }),
      400,
      'InputInvalid',
    ],
  ];
  it.each(cases)('%s', async (_name, make, status, code) => {
    const f = setup();
    expectError(await f.call(make(f)), status, code);
  });

  it('accepts a date 14 min off either way', async () => {
    const f = setup();
    for (const skew of [-14, 14]) {
      expect(
        (
          await f.call(
            f.signed(
              'DescribeChannelParticipants',
              { AppId: 'a', ChannelId: 'c' },
              { date: formatAcsDate(T0 + skew * 60_000) },
            ),
          )
        ).status,
      ).toBe(200);
    }
  });

  it('refuses a reused nonce for 30 min, and does not burn the nonce of a refused request', async () => {
    const f = setup();
    const q = { AppId: 'a', ChannelId: 'c' };
    const forged = { accessKeyId: f.emu.credentials.accessKeyId, accessKeySecret: 'wrong' };
    expectError(
      await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N', credentials: forged })),
      400,
      'SignatureDoesNotMatch',
    );
    expect((await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N' }))).status).toBe(200);
    expectError(await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N' })), 400, 'SignatureNonceUsed');
    f.clock.advance(29 * 60_000);
    expectError(await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N' })), 400, 'SignatureNonceUsed');
    f.clock.advance(2 * 60_000);
    expect((await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N' }))).status).toBe(200);
  });

  it('STS: a missing or wrong security token is refused', async () => {
    const f = setup({ sts: true });
    const c = f.emu.credentials;
    expectError(
      await f.call(
        f.signed('DescribeChannelParticipants', {}, { credentials: { ...c, securityToken: undefined } as never }),
      ),
      400,
      'InvalidSecurityToken.Malformed',
    );
    expectError(
      await f.call(
        f.signed('DescribeChannelParticipants', {}, { credentials: { ...c, securityToken: `${c.securityToken}x` } }),
      ),
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
    );
  });
});

describe('parameter rules (the doc, via shared/schemas.ts)', () => {
  const bad: Array<[Record<string, string>, string]> = [
    [{ AppId: undefined as never }, 'MissingParameter'],
    [{ ChannelId: undefined as never }, 'MissingParameter'],
    [{ UserId: undefined as never }, 'MissingParameter'],
    [{ DisplayName: undefined as never }, 'MissingParameter'],
    [{ AppId: 'a'.repeat(65) }, 'InputInvalid'],
    [{ ChannelId: 'room 1' }, 'InputInvalid'],
    [{ UserId: 'obs.1' }, 'InputInvalid'],
    [{ UserId: '' }, 'InputInvalid'],
    [{ DisplayName: 'x'.repeat(41) }, 'InputInvalid'],
    [{ ExpireTime: '0' }, 'InputInvalid'],
    [{ ExpireTime: '-5' }, 'InputInvalid'],
    [{ ExpireTime: '1.5' }, 'InputInvalid'],
    [{ ExpireTime: 'abc' }, 'InputInvalid'],
  ];
  it.each(bad)('CreateRoomRealTimeStreamAddress %j -> %s', async (change, code) => {
    const f = setup();
    const query = Object.fromEntries(
      Object.entries({ ...CREATE, ...change }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    const r = await f.call(f.signed('CreateRoomRealTimeStreamAddress', query));
    expectError(r, 400, code);
    if (code === 'MissingParameter') expect(r.body.Message).toContain(`"${Object.keys(change)[0]}"`);
  });

  it('accepts the limits: 64-character ids, a 40-character (code point) DisplayName, ExpireTime 60', async () => {
    const f = setup();
    const r = await f.call(
      f.signed('CreateRoomRealTimeStreamAddress', {
        AppId: 'A'.repeat(64),
        ChannelId: 'c_-9'.repeat(16),
        UserId: 'u'.repeat(64),
        DisplayName: '直'.repeat(40),
        ExpireTime: '60',
      }),
    );
    expect(r.status).toBe(200);
  });

  it.each<Record<string, string>>([
    { PageSize: '0' },
    { PageSize: '101' },
    { PageSize: 'x' },
    { PageNum: '0' },
    { Order: 'up' },
    { AppId: 'bad id' },
  ])('DescribeChannelParticipants %j -> InputInvalid', async (change) => {
    const f = setup();
    expectError(await f.participants(change), 400, 'InputInvalid');
  });
});

describe('flow control', () => {
  it('100 calls per second per operation, then 400 Throttling.User with x-acs-retry-after', async () => {
    const f = setup();
    const q = { AppId: 'a', ChannelId: 'c' };
    for (let i = 0; i < 100; i++) {
      expect((await f.call(f.signed('DescribeChannelParticipants', q))).status).toBe(200);
      if (i % 10 === 9) f.clock.advance(10); // 100 calls spread over 90 ms
    }
    const r = await f.call(f.signed('DescribeChannelParticipants', q));
    expectError(r, 400, 'Throttling.User');
    expect(r.body.Message).toBe('Request was denied due to user flow control.');
    expect(r.headers.get('x-acs-retry-after')).toBe('900');
    // per operation: the other one still has its quota
    expect((await f.call(f.signed('CreateRoomRealTimeStreamAddress', CREATE))).status).toBe(200);
    f.clock.advance(899);
    expectError(await f.call(f.signed('DescribeChannelParticipants', q)), 400, 'Throttling.User');
    f.clock.advance(1);
    expect((await f.call(f.signed('DescribeChannelParticipants', q))).status).toBe(200);
    expect(f.emu.stats().outcomes.DescribeChannelParticipants).toEqual({ OK: 101, 'Throttling.User': 2 });
  });
});

describe('identity', () => {
  it('generates LTAI credentials and uppercase UUID-like RequestIds from the injected randomness', () => {
    const a = createEmulator({ random: seededRandom(3) });
    const b = createEmulator({ random: seededRandom(3) });
    expect(a.credentials).toEqual(b.credentials);
    expect(a.credentials.accessKeyId).toMatch(/^LTAI[A-Za-z0-9]{20}$/);
    expect(a.credentials.accessKeySecret).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(a.controlToken).not.toBe(createEmulator().controlToken);
  });
});

function strip(req: Request, name: string): Request {
  const headers = new Headers(req.headers);
  headers.delete(name);
  return new Request(req, { headers });
}
function withHeader(req: Request, name: string, value: string): Request {
  const headers = new Headers(req.headers);
  headers.set(name, value);
  return new Request(req, { headers });
}
function withBody(req: Request, body: string): Request {
  return new Request(req.url, { method: req.method, headers: req.headers, body });
}
