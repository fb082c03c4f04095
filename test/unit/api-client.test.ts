/**
 * LiveApiClient: CreateRoomRealTimeStreamAddress, DescribeChannelParticipants, the endpoint. (Errors and retries:
 * api-client-errors.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../script/cloud/api-client.js';
import { ADDRESS, CREATE, CREDS, SECRET, client } from '../helpers/api-client-fixtures.js';

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

describe('endpoint', () => {
  it('accepts https and local http, refuses plain http elsewhere', () => {
    expect(parseEndpoint('live.aliyuncs.com').origin).toBe('https://live.aliyuncs.com');
    expect(parseEndpoint('http://127.0.0.1:4467').origin).toBe('http://127.0.0.1:4467');
    expect(() => parseEndpoint('http://live.aliyuncs.com')).toThrow(/only for 127.0.0.1/);
    expect(() => parseEndpoint('ftp://x')).toThrow(/http/);
  });
});
