/**
 * The client and the Credentials port, on the emulator with a fake clock (no port, no real time): STS
 * credentials from the environment that expire give a clear error naming where they came from (after the
 * one re-resolve, which finds the same token); credentials are asked per request; secrets stay out.
 */
import { describe, expect, it } from 'vitest';
import { LiveApiClient, type ApiCallLog } from '../../script/cloud/api-client.js';
import { credentialChain } from '../../script/cloud/credential-chain.js';
import type { CredentialSource } from '../../script/cloud/credentials.js';
import { ApiError } from '../../script/cloud/errors.js';
import { TokenBucket } from '../../script/cloud/rate-limit.js';
import { ENDPOINT, setup } from '../helpers/emulator-fixture.js';
import { assumeSandboxRole } from '../helpers/sts-assume.js';

const CREATE = { AppId: 'app1', ChannelId: 'room1', UserId: 'obs-1', DisplayName: 'OBS' };

/** An STS key from the emulator's AssumeRole, as `aliyun sts AssumeRole` would print it for a user to export. */
const assumeRole = (f: ReturnType<typeof setup>) => assumeSandboxRole(f, { sessionName: 'me', seconds: 3600 });

function clientWith(f: ReturnType<typeof setup>, credentials: CredentialSource, log: ApiCallLog[]) {
  return new LiveApiClient({
    endpoint: ENDPOINT,
    credentials,
    fetch: f.fetch,
    now: f.clock.now,
    sleep: f.clock.sleep,
    random: () => 0,
    nonce: f.nonce,
    limiter: new TokenBucket(1e6, 1e6),
    log: (e) => log.push(e),
  });
}

describe('STS credentials from the environment', () => {
  it('work until they expire, then fail with an error naming the environment, never the token', async () => {
    const f = setup();
    const sts = await assumeRole(f);
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: sts.AccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: sts.AccessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: sts.SecurityToken,
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    };
    const log: ApiCallLog[] = [];
    const client = clientWith(f, credentialChain({ env, home: '/nonexistent' }), log);
    expect((await client.createRoomRealTimeStreamAddress(CREATE)).rtmpAddress).toMatch(/^rtmp:/);

    f.clock.advance(3600_000);
    const e = (await client.createRoomRealTimeStreamAddress(CREATE).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'InvalidSecurityToken.Expired', kind: 'auth', retryable: false });
    expect(e.describe()).toMatch(
      /^InvalidSecurityToken\.Expired: Specified SecurityToken is expired\. \(credentials: StsToken via environment \(ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_SECURITY_TOKEN\), RequestId: [0-9A-F-]{36}, HTTP 400\)$/,
    );
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

describe('a refused token, with a fake source', () => {
  function rotating(
    f: ReturnType<typeof setup>,
    keys: Array<{ AccessKeyId: string; AccessKeySecret: string; SecurityToken: string }>,
    refreshFails = false,
  ) {
    let current = 0;
    const calls = { get: 0, refresh: 0 };
    const creds = () => ({
      accessKeyId: keys[current]!.AccessKeyId,
      accessKeySecret: keys[current]!.AccessKeySecret,
      securityToken: keys[current]!.SecurityToken,
    });
    const no = () => new Error(`STS said no (key ${keys[0]!.AccessKeySecret} must not show)`);
    const source: CredentialSource = {
      // like the chain: once a refresh failed nothing is cached, so get() resolves again (and fails again)
      get: async () => {
        calls.get++;
        if (refreshFails && calls.refresh > 0) throw no();
        return creds();
      },
      refresh: async () => {
        calls.refresh++;
        if (refreshFails) throw no();
        current = Math.min(current + 1, keys.length - 1);
        return creds();
      },
      info: () => ({ type: 'RamRoleArn', source: '~/.aliyun/config.json profile prod' }),
      secrets: () => keys.flatMap((k) => [k.AccessKeySecret, k.SecurityToken]),
    };
    return { source, calls };
  }

  it('re-resolves once, then the retry with the new key succeeds', async () => {
    const f = setup();
    const keys = [await assumeRole(f), await assumeRole(f)];
    const { source, calls } = rotating(f, keys);
    const log: ApiCallLog[] = [];
    f.emu.faults.failNext('CreateRoomRealTimeStreamAddress', 1, { status: 400, code: 'InvalidSecurityToken.Expired' });
    await clientWith(f, source, log).createRoomRealTimeStreamAddress(CREATE);
    expect(calls.refresh).toBe(1);
    expect(log.map((l) => [l.code ?? 'OK', l.reason])).toEqual([
      [
        'InvalidSecurityToken.Expired',
        'credentials refused, re-resolving RamRoleArn via ~/.aliyun/config.json profile prod',
      ],
      ['OK', undefined],
    ]);
  });

  it('never re-resolves twice in one call: a second refusal is the error', async () => {
    const f = setup();
    const keys = [await assumeRole(f), await assumeRole(f)];
    const { source, calls } = rotating(f, keys);
    f.emu.faults.failNext('CreateRoomRealTimeStreamAddress', 2, { status: 400, code: 'InvalidSecurityToken.Expired' });
    await expect(clientWith(f, source, []).createRoomRealTimeStreamAddress(CREATE)).rejects.toMatchObject({
      code: 'InvalidSecurityToken.Expired',
      credentials: 'RamRoleArn via ~/.aliyun/config.json profile prod',
    });
    expect(calls.refresh).toBe(1);
  });

  it('a refresh that fails is retried with backoff and a logged reason, then reported, redacted', async () => {
    const f = setup();
    const keys = [await assumeRole(f)];
    const { source, calls } = rotating(f, keys, true);
    const log: ApiCallLog[] = [];
    f.emu.faults.failNext('CreateRoomRealTimeStreamAddress', 1, { status: 400, code: 'InvalidSecurityToken.Expired' });
    const start = f.clock.now();
    const e = (await clientWith(f, source, log)
      .createRoomRealTimeStreamAddress(CREATE)
      .catch((x: unknown) => x)) as ApiError;
    // the refresh failed once; the retries asked the source again (the chain resolves anew in get())
    expect(calls.refresh).toBe(1);
    expect(calls.get).toBe(4);
    expect(e).toMatchObject({ code: 'CredentialsUnavailable', retryable: true });
    const failed = log.filter((l) => l.code === 'CredentialsUnavailable');
    expect(failed[0]!.reason).toMatch(
      /^network: CreateRoomRealTimeStreamAddress: getting credentials failed: STS said no/,
    );
    expect(failed).toHaveLength(4);
    // backoff between the attempts; none after the last, which is the error
    expect(failed.slice(0, 3).every((l) => (l.retryInMs ?? 0) >= 100)).toBe(true);
    expect(failed[3]!.retryInMs).toBeUndefined();
    expect(f.clock.now() - start).toBeGreaterThan(0);
    expect(JSON.stringify(log) + e.message).not.toContain(keys[0]!.AccessKeySecret);
  });
});
