/**
 * The official chain behind our Credentials port, on real files in a temp HOME: every aliyun CLI mode and
 * INI type resolves, or fails with a message naming it; the official order; ALIBABA_CLOUD_PROFILE; and no
 * secret in any message. Role-based types that need STS are exercised end to end in sts-sandbox.test.ts.
 * (INI file types and the library messages that quote them: credential-chain-ini.test.ts.)
 */
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { credentialChain } from '../../script/cloud/credential-chain.js';
import { describeInfo } from '../../script/cloud/credentials.js';
import { BASE, SECRET, TOKEN, cli, failure, home } from '../helpers/credential-chain-fixtures.js';

afterEach(() => void vi.unstubAllEnvs());

describe('environment', () => {
  it('AK, and StsToken when ALIBABA_CLOUD_SECURITY_TOKEN is set', async () => {
    const ak = credentialChain({
      env: { ...BASE, ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET },
      home: home(),
    });
    expect(await ak.get()).toEqual({ accessKeyId: 'id', accessKeySecret: SECRET, securityToken: undefined });
    expect(describeInfo(ak.info())).toBe('AK via environment (ALIBABA_CLOUD_ACCESS_KEY_ID)');
    const sts = credentialChain({
      env: {
        ...BASE,
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'STS.id',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
        ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN,
      },
      home: home(),
    });
    expect((await sts.get()).securityToken).toBe(TOKEN);
    expect(sts.info()).toMatchObject({ type: 'StsToken', expiresAt: undefined });
    expect(sts.secrets()).toEqual([SECRET, TOKEN]);
  });

  it('half a pair fails naming the environment', async () => {
    const e = await failure({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' }, home());
    expect(e.message).toMatch(/AK via environment \(ALIBABA_CLOUD_ACCESS_KEY_ID\): .*must be set together/);
    expect(e.found).toBe(true);
  });

  it('the environment comes before the aliyun CLI config, which comes before the INI file', async () => {
    const h = home({
      cli: cli({ name: 'default', mode: 'AK', access_key_id: 'cli-id', access_key_secret: SECRET }),
      ini: `[default]\ntype = access_key\naccess_key_id = ini-id\naccess_key_secret = ${SECRET}\n`,
    });
    expect(
      (
        await credentialChain({
          env: { ...BASE, ALIBABA_CLOUD_ACCESS_KEY_ID: 'env-id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET },
          home: h,
        }).get()
      ).accessKeyId,
    ).toBe('env-id');
    expect((await credentialChain({ env: BASE, home: h }).get()).accessKeyId).toBe('cli-id');
    expect(
      (await credentialChain({ env: { ...BASE, ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' }, home: h }).get())
        .accessKeyId,
    ).toBe('ini-id');
  });
});

describe('aliyun CLI config, every mode', () => {
  it('AK and StsToken resolve; ALIBABA_CLOUD_PROFILE picks the profile over `current`', async () => {
    const h = home({
      cli: {
        current: 'work',
        profiles: [
          { name: 'default', mode: 'AK', access_key_id: 'd-id', access_key_secret: SECRET },
          { name: 'work', mode: 'StsToken', access_key_id: 'w-id', access_key_secret: SECRET, sts_token: TOKEN },
        ],
      },
    });
    const work = credentialChain({ env: BASE, home: h });
    expect(await work.get()).toMatchObject({ accessKeyId: 'w-id', securityToken: TOKEN });
    expect(describeInfo(work.info())).toBe('StsToken via ~/.aliyun/config.json profile work');
    const def = credentialChain({ env: { ...BASE, ALIBABA_CLOUD_PROFILE: 'default' }, home: h });
    expect(await def.get()).toMatchObject({ accessKeyId: 'd-id', securityToken: undefined });
    expect(describeInfo(def.info())).toBe('AK via ~/.aliyun/config.json profile default');
  });

  it('External runs its process_command and uses what it prints', async () => {
    const out = JSON.stringify({
      mode: 'StsToken',
      access_key_id: 'STS.ext',
      access_key_secret: SECRET,
      sts_token: TOKEN,
      expiration: '2099-01-01T00:00:00Z',
    });
    const script = join(home(), 'creds.js');
    writeFileSync(script, `process.stdout.write(${JSON.stringify(out)})`);
    const c = credentialChain({
      env: BASE,
      home: home({ cli: cli({ name: 'ext', mode: 'External', process_command: `${process.execPath} ${script}` }) }),
    });
    expect(await c.get()).toMatchObject({ accessKeyId: 'STS.ext', securityToken: TOKEN });
    expect(describeInfo(c.info())).toBe('External via ~/.aliyun/config.json profile ext');
  });

  it.each([
    [
      'RamRoleArn',
      { access_key_id: 'id', access_key_secret: SECRET },
      /RamRoleArn via ~\/\.aliyun\/config\.json profile p: .*RoleArn is empty/,
    ],
    [
      'ChainableRamRoleArn',
      { source_profile: 'missing', ram_role_arn: 'acs:ram::1:role/r' },
      /ChainableRamRoleArn via ~\/\.aliyun\/config\.json profile p: unable to get profile with 'missing'/,
    ],
    [
      'OIDC',
      { ram_role_arn: 'acs:ram::1:role/r', oidc_provider_arn: 'acs:ram::1:oidc-provider/x' },
      /OIDC via ~\/\.aliyun\/config\.json profile p: .*OIDCTokenFilePath/i,
    ],
    ['CloudSSO', {}, /CloudSSO via ~\/\.aliyun\/config\.json profile p: /],
    [
      'External',
      { process_command: `${process.execPath} -e process.exit(3)` },
      /External via ~\/\.aliyun\/config\.json profile p: failed to execute external command/,
    ],
    [
      'Magic',
      {},
      /Magic via ~\/\.aliyun\/config\.json profile p: mode Magic is not one @alicloud\/credentials supports/,
    ],
  ])('%s with missing parts fails with a message naming the mode and profile', async (mode, fields, message) => {
    const e = await failure({}, home({ cli: cli({ name: 'p', mode, ...fields }) }));
    expect(e.message).toMatch(message);
  });

  it('EcsRamRole names itself when the instance role cannot be used', async () => {
    // the library's ECS provider reads this switch from process.env itself; set, it never calls 100.100.100.200
    vi.stubEnv('ALIBABA_CLOUD_ECS_METADATA_DISABLED', 'true');
    const e = await failure({}, home({ cli: cli({ name: 'p', mode: 'EcsRamRole', ram_role_name: 'r' }) }));
    expect(e.message).toMatch(/EcsRamRole via ~\/\.aliyun\/config\.json profile p: IMDS credentials is disabled/);
  });

  it('a broken file and a missing profile name the file', async () => {
    expect((await failure({}, home({ cli: '{oops' }))).message).toMatch(
      /aliyun CLI via ~\/\.aliyun\/config\.json: not valid JSON/,
    );
    expect(
      (await failure({ ALIBABA_CLOUD_PROFILE: 'nope' }, home({ cli: cli({ name: 'p', mode: 'AK' }) }))).message,
    ).toMatch(/profile nope: no profile named "nope"/);
  });
});

describe('nothing anywhere', () => {
  it('is "not found" (the helper then offers the sandbox), listing where it looked', async () => {
    const e = await failure({}, home());
    expect(e.found).toBe(false);
    expect(e.message).toMatch(/No Alibaba Cloud credentials found\. Looked in:\n {2}- environment/);
    expect(e.looked).toContain('~/.aliyun/config.json');
    expect(e.looked).toContain('~/.alibabacloud/credentials');
  });
});

describe('overlapping calls', () => {
  it('share one resolution', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end(
        JSON.stringify({
          AccessKeyId: 'STS.x',
          AccessKeySecret: SECRET,
          SecurityToken: TOKEN,
          Expiration: '2099-01-01T00:00:00Z',
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const c = credentialChain({
        env: { ...BASE, ALIBABA_CLOUD_CREDENTIALS_URI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` },
        home: home(),
      });
      await Promise.all([c.get(), c.get(), c.get()]);
      expect(hits).toBe(1);
      await Promise.all([c.refresh(), c.refresh()]);
      expect(hits).toBe(2);
      expect(describeInfo(c.info())).toBe('credentials_uri via ALIBABA_CLOUD_CREDENTIALS_URI');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
