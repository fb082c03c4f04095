/**
 * The client and the Credentials port, on the emulator with a fake clock (no port, no real time): STS
 * credentials from the environment that expire give a clear error naming where they came from (after the
 * one re-resolve, which finds the same token); credentials are asked per request; secrets stay out.
 */
import { describe, expect, it } from 'vitest';
import { LiveApiClient, type ApiCallLog } from '../../script/api-client.js';
import { credentialChain } from '../../script/credential-chain.js';
import type { CredentialSource } from '../../script/credentials.js';
import { ApiError } from '../../script/errors.js';
import { TokenBucket } from '../../script/rate-limit.js';
import { rpcSignature } from '../../script/sandbox/gateway-rpc.js';
import { STS_VERSION } from '../../script/sandbox/sts.js';
import { percentEncode } from '../../script/sign-v3.js';
import { ENDPOINT, setup } from './emulator-fixture.js';

const CREATE = { AppId: 'app1', ChannelId: 'room1', UserId: 'obs-1', DisplayName: 'OBS' };

/** An STS key from the emulator's AssumeRole, as `aliyun sts AssumeRole` would print it for a user to export. */
async function assumeRole(f: ReturnType<typeof setup>) {
  const c = f.emu.credentials;
  const p: Record<string, string> = {
    Action: 'AssumeRole', Version: STS_VERSION, Format: 'JSON', AccessKeyId: c.accessKeyId, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
    SignatureNonce: f.nonce(), Timestamp: new Date(f.clock.now()).toISOString().replace('.000Z', 'Z'), RoleArn: 'acs:ram::1:role/live', RoleSessionName: 'me', DurationSeconds: '3600',
  };
  p.Signature = rpcSignature('POST', p, c.accessKeySecret).signature;
  const body = Object.entries(p).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  const res = await f.emu.handleSts(new Request(`${ENDPOINT}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
  return ((await res.json()) as { Credentials: { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string } }).Credentials;
}

function clientWith(f: ReturnType<typeof setup>, credentials: CredentialSource, log: ApiCallLog[]) {
  return new LiveApiClient({ endpoint: ENDPOINT, credentials, fetch: f.fetch, now: f.clock.now, sleep: f.clock.sleep, random: () => 0, nonce: f.nonce, limiter: new TokenBucket(1e6, 1e6), log: (e) => log.push(e) });
}

describe('STS credentials from the environment', () => {
  it('work until they expire, then fail with an error naming the environment, never the token', async () => {
    const f = setup();
    const sts = await assumeRole(f);
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: sts.AccessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: sts.AccessKeySecret, ALIBABA_CLOUD_SECURITY_TOKEN: sts.SecurityToken, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' };
    const log: ApiCallLog[] = [];
    const client = clientWith(f, credentialChain({ env, home: '/nonexistent' }), log);
    expect((await client.createRoomRealTimeStreamAddress(CREATE)).rtmpAddress).toMatch(/^rtmp:/);

    f.clock.advance(3600_000);
    const e = (await client.createRoomRealTimeStreamAddress(CREATE).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'InvalidSecurityToken.Expired', kind: 'auth', retryable: false });
    expect(e.describe()).toMatch(/^InvalidSecurityToken\.Expired: Specified SecurityToken is expired\. \(credentials: StsToken via environment \(ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_SECURITY_TOKEN\), RequestId: [0-9A-F-]{36}, HTTP 400\)$/);
    // one re-resolve (same token from the same environment), then the error: two refused attempts, no more
    expect(log.filter((l) => l.code === 'InvalidSecurityToken.Expired')).toHaveLength(2);
    const printed = JSON.stringify(log) + e.describe() + JSON.stringify(e);
    expect(printed).not.toContain(sts.AccessKeySecret);
    expect(printed).not.toContain(sts.SecurityToken);
  });
});

describe('credentials asked per request', () => {
  it('a source that rotates its key is used as it is at each call', async () => {
    const f = setup();
    const keys = [await assumeRole(f), await assumeRole(f)];
    let i = 0;
    const asked: string[] = [];
    const source: CredentialSource = {
      get: async () => {
        const k = keys[Math.min(i++, 1)]!;
        asked.push(k.AccessKeyId);
        return { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret, securityToken: k.SecurityToken };
      },
      refresh: async () => {
        throw new Error('not expected');
      },
      info: () => ({ type: 'RamRoleArn', source: 'test' }),
      secrets: () => keys.flatMap((k) => [k.AccessKeySecret, k.SecurityToken]),
    };
    const client = clientWith(f, source, []);
    await client.createRoomRealTimeStreamAddress(CREATE);
    await client.createRoomRealTimeStreamAddress(CREATE);
    expect(asked).toEqual([keys[0]!.AccessKeyId, keys[1]!.AccessKeyId]);
    expect(f.emu.stats().outcomes.CreateRoomRealTimeStreamAddress).toEqual({ OK: 2 });
  });
});
