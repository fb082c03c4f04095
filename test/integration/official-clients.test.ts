/**
 * Clients no one here wrote, against the sandbox on 127.0.0.1: @alicloud/pop-core (classic RPC signature,
 * HMAC-SHA1) and @alicloud/openapi-client (V3 by default, RPC with signatureAlgorithm v2) call both
 * operations and get the documented bodies; a wrong secret gets SignatureDoesNotMatch from each.
 */
import RPCClient from '@alicloud/pop-core';
import OpenApi, { OpenApiRequest, Params } from '@alicloud/openapi-client';
import { RuntimeOptions } from '@alicloud/tea-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../script/sandbox/index.js';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startSandbox({ apiPort: 0, rtmpPort: 0 });
});
afterAll(() => sb?.stop());

const CREATE = { AppId: 'app1', ChannelId: 'room1', UserId: 'obs-1', DisplayName: 'Studio A' };
const PARTICIPANTS = { AppId: 'app1', ChannelId: 'room1' };

function pop(secret = sb.credentials.accessKeySecret) {
  return new RPCClient({
    accessKeyId: sb.credentials.accessKeyId,
    accessKeySecret: secret,
    endpoint: sb.endpoint,
    apiVersion: '2016-11-01',
  });
}

function openapi(signatureAlgorithm?: 'v2', secret = sb.credentials.accessKeySecret) {
  const Client = (OpenApi as unknown as { default?: typeof OpenApi }).default ?? OpenApi;
  return new Client({
    accessKeyId: sb.credentials.accessKeyId,
    accessKeySecret: secret,
    endpoint: `127.0.0.1:${sb.apiPort}`,
    protocol: 'HTTP',
    ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
  } as ConstructorParameters<typeof OpenApi>[0]);
}

async function callOpenapi(
  client: ReturnType<typeof openapi>,
  action: string,
  method: 'GET' | 'POST',
  query: Record<string, string>,
) {
  const params = new Params({
    action,
    version: '2016-11-01',
    protocol: 'HTTP',
    pathname: '/',
    method,
    authType: 'AK',
    style: 'RPC',
    bodyType: 'json',
    reqBodyType: 'formData',
  });
  const res = (await client.callApi(params, new OpenApiRequest({ query }), new RuntimeOptions({}))) as {
    statusCode: number;
    body: Record<string, unknown>;
  };
  return res.body;
}

const documentedCreate = {
  RequestId: expect.stringMatching(/^[0-9A-F-]{36}$/),
  RtmpAddress: expect.stringMatching(
    new RegExp(`^rtmp://127\\.0\\.0\\.1:\\d+/rtcdev[0-9a-f]{8}/[\\w-]+\\?auth_key=\\d+-[0-9a-f]+-0-[0-9a-f]{32}$`),
  ),
};
const documentedParticipants = {
  RequestId: expect.any(String),
  TotalNum: 0,
  TotalPage: expect.any(Number),
  UserList: [],
};

describe('@alicloud/pop-core (RPC, HMAC-SHA1)', () => {
  it('calls both operations: GET with the query, POST with a form body', async () => {
    expect(await pop().request('CreateRoomRealTimeStreamAddress', CREATE, { method: 'GET' })).toMatchObject(
      documentedCreate,
    );
    expect(await pop().request('DescribeChannelParticipants', PARTICIPANTS, { method: 'POST' })).toMatchObject(
      documentedParticipants,
    );
  });

  it('a wrong secret gets SignatureDoesNotMatch', async () => {
    await expect(
      pop('not-the-secret').request('CreateRoomRealTimeStreamAddress', CREATE, { method: 'GET' }),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    await expect(
      pop('not-the-secret').request('DescribeChannelParticipants', PARTICIPANTS, { method: 'POST' }),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});

describe.each([
  ['V3 (ACS3-HMAC-SHA256)', undefined],
  ['RPC (signatureAlgorithm v2, HMAC-SHA1)', 'v2' as const],
])('@alicloud/openapi-client, %s', (_name, algorithm) => {
  it('calls both operations', async () => {
    expect(await callOpenapi(openapi(algorithm), 'CreateRoomRealTimeStreamAddress', 'GET', CREATE)).toMatchObject(
      documentedCreate,
    );
    expect(await callOpenapi(openapi(algorithm), 'DescribeChannelParticipants', 'POST', PARTICIPANTS)).toMatchObject(
      documentedParticipants,
    );
  });

  it('a wrong secret gets SignatureDoesNotMatch', async () => {
    await expect(
      callOpenapi(openapi(algorithm, 'not-the-secret'), 'CreateRoomRealTimeStreamAddress', 'GET', CREATE),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    await expect(
      callOpenapi(openapi(algorithm, 'not-the-secret'), 'DescribeChannelParticipants', 'POST', PARTICIPANTS),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});
