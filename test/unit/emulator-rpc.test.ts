/**
 * The sandbox gateway's classic RPC signature (HMAC-SHA1) and its STS AssumeRole stand-in, through the
 * emulator's handlers (no port, fake clock): the published vector, query and form-body parameters, each
 * failure's code, and AssumeRole keys that the Live API accepts with their token until they expire.
 */
import { describe, expect, it } from 'vitest';
import { rpcSignature } from '../../script/sandbox/gateway-rpc.js';
import { STS_VERSION } from '../../script/sandbox/sts.js';
import type { SandboxCredentials } from '../../script/sandbox/types.js';
import { percentEncode } from '../../script/cloud/sign-v3.js';
import { API_VERSION } from '../../shared/cloud-schemas.js';
import { ENDPOINT, T0, setup } from '../helpers/emulator-fixture.js';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const CREATE = {
  Action: 'CreateRoomRealTimeStreamAddress',
  AppId: 'app1',
  ChannelId: 'room1',
  UserId: 'obs-1',
  DisplayName: 'OBS A',
};
const PARTICIPANTS = { Action: 'DescribeChannelParticipants', AppId: 'app1', ChannelId: 'room1' };

interface RpcOptions {
  method?: 'GET' | 'POST';
  credentials?: SandboxCredentials;
  /** replace (or with undefined, remove) common parameters before signing */
  override?: Record<string, string | undefined>;
  /** where the parameters go for POST */
  form?: boolean;
  tamper?: (signature: string) => string;
}

function rpcRequest(f: ReturnType<typeof setup>, params: Record<string, string>, o: RpcOptions = {}): Request {
  const method =
    o.method ?? (params.Action === 'DescribeChannelParticipants' || params.Action === 'AssumeRole' ? 'POST' : 'GET');
  const c = o.credentials ?? f.emu.credentials;
  const all: Record<string, string> = {
    Format: 'JSON',
    Version: API_VERSION,
    AccessKeyId: c.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: f.nonce(),
    Timestamp: iso(f.clock.now()),
    ...(c.securityToken ? { SecurityToken: c.securityToken } : {}),
    ...params,
  };
  for (const [k, v] of Object.entries(o.override ?? {}))
    if (v === undefined) delete all[k];
    else all[k] = v;
  const { signature } = rpcSignature(method, all, c.accessKeySecret);
  all.Signature = o.tamper ? o.tamper(signature) : signature;
  const encoded = Object.entries(all)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  if (method === 'POST' && o.form !== false) {
    return new Request(`${ENDPOINT}/`, {
      method,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encoded,
    });
  }
  return new Request(`${ENDPOINT}/?${encoded}`, { method });
}

async function answer(res: Response) {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('classic RPC signature', () => {
  it('matches the published vector', () => {
    const params = {
      Timestamp: '2016-02-23T12:46:24Z',
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Version: '2014-05-26',
      SignatureVersion: '1.0',
    };
    expect(rpcSignature('GET', params, 'testsecret').signature).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('accepts both operations, parameters in the query (GET) or a form body (POST)', async () => {
    const f = setup();
    const create = await f.call(rpcRequest(f, CREATE));
    expect(create.status).toBe(200);
    expect(create.body.RtmpAddress).toMatch(/^rtmp:\/\/127\.0\.0\.1:1935\//);
    const form = await f.call(rpcRequest(f, PARTICIPANTS));
    expect(form).toMatchObject({ status: 200, body: { TotalNum: 0, UserList: [] } });
    const query = await f.call(rpcRequest(f, PARTICIPANTS, { form: false }));
    expect(query.status).toBe(200);
  });

  it.each<[string, RpcOptions, number, string]>([
    ['a wrong secret', { credentials: { accessKeyId: '', accessKeySecret: 'wrong' } }, 400, 'SignatureDoesNotMatch'],
    ['a tampered signature', { tamper: (s) => `A${s.slice(1)}` }, 400, 'SignatureDoesNotMatch'],
    ['no Signature', { override: {}, tamper: () => '' }, 400, 'SignatureDoesNotMatch'],
    ['an unknown AccessKeyId', { override: { AccessKeyId: 'LTAInobody' } }, 404, 'InvalidAccessKeyId.NotFound'],
    ['a Timestamp 16 min old', { override: { Timestamp: iso(T0 - 16 * 60_000) } }, 400, 'InvalidTimeStamp.Expired'],
    [
      'a Timestamp that is no ISO 8601 UTC',
      { override: { Timestamp: '2026/11/25 12:00:00' } },
      400,
      'InvalidTimeStamp.Format',
    ],
    ['no SignatureNonce', { override: { SignatureNonce: undefined } }, 400, 'MissingSignatureNonce'],
    ['no Timestamp', { override: { Timestamp: undefined } }, 400, 'MissingTimestamp'],
    ['no AccessKeyId', { override: { AccessKeyId: undefined } }, 400, 'MissingAccessKeyId'],
    ['SignatureMethod HMAC-SHA256', { override: { SignatureMethod: 'HMAC-SHA256' } }, 400, 'InvalidSignatureMethod'],
    ['SignatureVersion 2.0', { override: { SignatureVersion: '2.0' } }, 400, 'InvalidSignatureVersion'],
    ['another Version', { override: { Version: '2014-05-26' } }, 400, 'InvalidVersion'],
  ])('%s is refused with the cloud code', async (_what, o, status, code) => {
    const f = setup();
    const creds = o.credentials ? { ...o.credentials, accessKeyId: f.emu.credentials.accessKeyId } : undefined;
    const r = await f.call(rpcRequest(f, CREATE, { ...o, ...(creds ? { credentials: creds } : {}) }));
    expect(r).toMatchObject({ status, body: { Code: code } });
  });

  it('names a missing Signature, a replayed nonce, and says what it signed on a mismatch', async () => {
    const f = setup();
    const req = rpcRequest(f, CREATE);
    const url = new URL(req.url);
    url.searchParams.delete('Signature');
    expect(await f.call(new Request(url))).toMatchObject({ status: 400, body: { Code: 'MissingSignature' } });
    const once = rpcRequest(f, CREATE, { override: { SignatureNonce: 'same' } });
    expect((await f.call(once.clone())).status).toBe(200);
    expect(await f.call(once)).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
    const bad = await f.call(
      rpcRequest(f, CREATE, { credentials: { ...f.emu.credentials, accessKeySecret: 'wrong' } }),
    );
    expect(bad.body.Message).toMatch(
      /^Specified signature is not matched with our calculation\. server string to sign is:GET&%2F&AccessKeyId%3D/,
    );
  });
});

describe('STS AssumeRole stand-in', () => {
  const assume = {
    Action: 'AssumeRole',
    RoleArn: 'acs:ram::1234567890123456:role/artc-ingest',
    RoleSessionName: 'obs-pc',
    DurationSeconds: '900',
  };

  async function assumeRole(f: ReturnType<typeof setup>, extra: Record<string, string> = {}) {
    return answer(
      await f.emu.handleSts(rpcRequest(f, { ...assume, ...extra }, { override: { Version: STS_VERSION } })),
    );
  }

  it('answers STS credentials the Live API accepts with their token, until their Expiration', async () => {
    const f = setup();
    const r = await assumeRole(f);
    expect(r.status).toBe(200);
    const c = r.body.Credentials as Record<string, string>;
    expect(c).toMatchObject({ AccessKeyId: expect.stringMatching(/^STS\./), Expiration: iso(T0 + 900_000) });
    const sts = { accessKeyId: c.AccessKeyId!, accessKeySecret: c.AccessKeySecret!, securityToken: c.SecurityToken! };
    expect((await f.call(rpcRequest(f, CREATE, { credentials: sts }))).status).toBe(200);
    expect(
      (
        await f.call(
          f.signed('DescribeChannelParticipants', { AppId: 'app1', ChannelId: 'room1' }, { credentials: sts }),
        )
      ).status,
    ).toBe(200);
    expect(
      await f.call(rpcRequest(f, CREATE, { credentials: { ...sts, securityToken: undefined } as SandboxCredentials })),
    ).toMatchObject({ body: { Code: 'InvalidSecurityToken.Malformed' } });
    f.clock.advance(900_000);
    expect(await f.call(rpcRequest(f, CREATE, { credentials: sts }))).toMatchObject({
      status: 400,
      body: { Code: 'InvalidSecurityToken.Expired' },
    });
    expect(
      await f.call(
        f.signed(
          'CreateRoomRealTimeStreamAddress',
          { AppId: 'a', ChannelId: 'c', UserId: 'u', DisplayName: 'd' },
          { credentials: sts },
        ),
      ),
    ).toMatchObject({ body: { Code: 'InvalidSecurityToken.Expired' } });
  });

  it('checks the signature, RoleArn, RoleSessionName and DurationSeconds; the Live API is not STS', async () => {
    const f = setup();
    const wrong = await answer(
      await f.emu.handleSts(
        rpcRequest(f, assume, {
          override: { Version: STS_VERSION },
          credentials: { ...f.emu.credentials, accessKeySecret: 'x' },
        }),
      ),
    );
    expect(wrong.body.Code).toBe('SignatureDoesNotMatch');
    expect((await assumeRole(f, { RoleArn: 'role/x' })).body.Code).toBe('InvalidParameter.RoleArn');
    expect((await assumeRole(f, { RoleSessionName: 'a b' })).body.Code).toBe('InvalidParameter.RoleSessionName');
    expect((await assumeRole(f, { DurationSeconds: '60' })).body.Code).toBe('InvalidParameter.DurationSeconds');
    expect((await f.call(rpcRequest(f, assume, { override: { Version: STS_VERSION } }))).body.Code).toBe(
      'InvalidAction.NotFound',
    );
  });
});
