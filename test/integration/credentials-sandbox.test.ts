/**
 * A RamRoleArn profile end to end on the sandbox: the official chain reads ~/.aliyun/config.json, calls the
 * sandbox's HTTPS STS stand-in (self-signed certificate, trusted in-process; the spawned-CLI variant is in
 * cli-credentials.test.ts) and our client signs the Live API calls with the STS key it got. Then the
 * credentials age: the library refreshes them 15 min before Expiration (Date moved with a fake clock),
 * a refused token re-resolves once, and a refresh that fails is a retried error naming its cause.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LiveApiClient, type ApiCallLog } from '../../script/cloud/api-client.js';
import { credentialChain } from '../../script/cloud/credential-chain.js';
import { describeInfo } from '../../script/cloud/credentials.js';
import { ApiError } from '../../script/cloud/errors.js';
import { TokenBucket } from '../../script/cloud/rate-limit.js';
import { startSandbox, type SandboxHandle } from '../../script/sandbox/index.js';
import { makeCert, trustInProcess } from '../helpers/sts-cert.js';

const CREATE = { AppId: 'app1', ChannelId: 'room1', UserId: 'obs-1', DisplayName: 'Studio A' };
let sb: SandboxHandle;
let untrust: () => void;

beforeAll(async () => {
  const cert = makeCert();
  untrust = trustInProcess(cert.cert);
  // the sandbox reads Date at each call, so a faked Date moves the cloud and the library together
  sb = await startSandbox({
    apiPort: 0,
    rtmpPort: 0,
    now: () => Date.now(),
    stsTls: { key: cert.key, cert: cert.cert },
  });
}, 60_000);
afterAll(async () => {
  untrust?.();
  await sb?.stop();
});
afterEach(() => void vi.useRealTimers());

function ramRoleHome(secret = sb.credentials.accessKeySecret): string {
  const home = mkdtempSync(join(tmpdir(), 'artc-ramrole-'));
  mkdirSync(join(home, '.aliyun'));
  const profile = {
    name: 'prod',
    mode: 'RamRoleArn',
    access_key_id: sb.credentials.accessKeyId,
    access_key_secret: secret,
    ram_role_arn: 'acs:ram::1234567890123456:role/artc-ingest',
    ram_session_name: 'obs-pc',
    expired_seconds: 3600,
    sts_endpoint: sb.stsEndpoint,
  };
  writeFileSync(join(home, '.aliyun', 'config.json'), JSON.stringify({ current: 'prod', profiles: [profile] }));
  return home;
}

function clientFor(home: string, log: ApiCallLog[] = []) {
  const source = credentialChain({ env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' }, home, timeoutMs: 10_000 });
  const client = new LiveApiClient({
    endpoint: sb.endpoint,
    credentials: source,
    now: () => Date.now(),
    limiter: new TokenBucket(1e6, 1e6),
    sleep: async () => {},
    log: (e) => log.push(e),
  });
  return { source, client, log };
}

const assumed = () => sb.stats().outcomes.AssumeRole?.OK ?? 0;

describe('RamRoleArn profile on the sandbox', () => {
  it('resolves through the HTTPS STS stand-in and the STS key works for both operations', async () => {
    const before = assumed();
    const { source, client } = clientFor(ramRoleHome());
    const url = await client.createRoomRealTimeStreamAddress(CREATE);
    expect(url.rtmpAddress).toMatch(/^rtmp:\/\/127\.0\.0\.1:/);
    expect((await client.describeChannelParticipants({ AppId: 'app1', ChannelId: 'room1' })).total).toBe(0);
    expect(assumed() - before).toBe(1);
    const info = source.info();
    expect(describeInfo(info)).toBe('RamRoleArn via ~/.aliyun/config.json profile prod');
    expect(info.expiresAt! - Date.now()).toBeGreaterThan(3500_000);
    expect(info.expiresAt! - Date.now()).toBeLessThanOrEqual(3600_000);
  });

  it('credentials that age are refreshed ahead of Expiration, and the calls keep working', async () => {
    const { source, client } = clientFor(ramRoleHome());
    await client.createRoomRealTimeStreamAddress(CREATE);
    const firstCreds = await source.get();
    const first = firstCreds.accessKeyId;
    const before = assumed();
    // the library's clock is Date: 50 min on, the hour-long credentials are inside the 15 min stale window
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 50 * 60_000 });
    await client.createRoomRealTimeStreamAddress(CREATE);
    expect(assumed() - before).toBe(1);
    expect((await source.get()).accessKeyId).not.toBe(first);
    // 2 h on, the first STS key is past its Expiration on the sandbox: refused there, not used by us
    vi.setSystemTime(Date.now() + 70 * 60_000);
    await client.createRoomRealTimeStreamAddress(CREATE);
    const stale = new LiveApiClient({
      endpoint: sb.endpoint,
      credentials: firstCreds,
      now: () => Date.now(),
      limiter: new TokenBucket(1e6, 1e6),
    });
    await expect(stale.createRoomRealTimeStreamAddress(CREATE)).rejects.toMatchObject({
      code: 'InvalidSecurityToken.Expired',
    });
  });

  it('a token the cloud refuses re-resolves once (a new AssumeRole) and the retry succeeds', async () => {
    const log: ApiCallLog[] = [];
    const { client } = clientFor(ramRoleHome(), log);
    await client.createRoomRealTimeStreamAddress(CREATE);
    const before = assumed();
    sb.faults.failNext('CreateRoomRealTimeStreamAddress', 1, {
      status: 400,
      code: 'InvalidSecurityToken.Expired',
      message: 'Specified SecurityToken is expired.',
    });
    await client.createRoomRealTimeStreamAddress(CREATE);
    expect(assumed() - before).toBe(1);
    expect(
      log.some(
        (e) =>
          e.code === 'InvalidSecurityToken.Expired' &&
          /^credentials refused, re-resolving RamRoleArn via ~\/\.aliyun\/config\.json profile prod$/.test(
            e.reason ?? '',
          ),
      ),
    ).toBe(true);
  });

  it('a refresh that fails is a retryable error naming the cause, logged with backoff, never the secret', async () => {
    const log: ApiCallLog[] = [];
    const { source, client } = clientFor(ramRoleHome(), log);
    await client.createRoomRealTimeStreamAddress(CREATE);
    const secrets = [sb.credentials.accessKeySecret, ...source.secrets()];
    sb.faults.failNext('CreateRoomRealTimeStreamAddress', 1, { status: 400, code: 'InvalidSecurityToken.Expired' });
    sb.faults.failNext('AssumeRole', 10, {
      status: 503,
      code: 'ServiceUnavailable',
      message: 'STS is down for the test.',
    });
    const e = (await client.createRoomRealTimeStreamAddress(CREATE).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'CredentialsUnavailable', retryable: true });
    expect(e.message).toMatch(/RamRoleArn via ~\/\.aliyun\/config\.json profile prod: .*ServiceUnavailable/);
    const retried = log.filter((l) => l.code === 'CredentialsUnavailable');
    expect(retried.length).toBeGreaterThanOrEqual(2);
    expect(retried.slice(0, -1).every((l) => (l.retryInMs ?? 0) > 0 && /ServiceUnavailable/.test(l.reason ?? ''))).toBe(
      true,
    );
    const printed = JSON.stringify(log) + e.message + e.describe();
    for (const s of secrets) expect(printed).not.toContain(s);
  });

  it('a wrong AccessKey secret in the profile fails naming the profile, without the secret', async () => {
    const { source } = clientFor(ramRoleHome('wrong-secret-never-printed'));
    const e = (await source.get().catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(
      /RamRoleArn via ~\/\.aliyun\/config\.json profile prod: the access key secret is invalid/,
    );
    expect(e.message).not.toContain('wrong-secret-never-printed');
  });
});
