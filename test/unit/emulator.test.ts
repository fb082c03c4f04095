/**
 * The emulator's gateway: V3 signatures (ours and the official @alicloud/openapi-util's), parameter rules, flow
 * control and identity, all on a fake clock with no port. (Every error path: emulator-gateway-errors.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { createEmulator } from '../../script/sandbox/emulator.js';
import { seededRandom, setup } from '../helpers/emulator-fixture.js';
import { CREATE, REQUEST_ID, expectError, officialParts, toRequest, type Parts } from '../helpers/emulator-requests.js';

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
