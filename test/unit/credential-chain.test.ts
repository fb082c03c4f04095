/**
 * The official chain behind our Credentials port, on real files in a temp HOME: every aliyun CLI mode and
 * INI type resolves, or fails with a message naming it; the official order; ALIBABA_CLOUD_PROFILE; and no
 * secret in any message. Role-based types that need STS are exercised end to end in sts-sandbox.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { credentialChain } from '../../script/cloud/credential-chain.js';
import { CredentialsError, describeInfo } from '../../script/cloud/credentials.js';

const SECRET = 'secret-value-never-printed';
const TOKEN = 'CAIS-token-value-never-printed';
/** the ECS step would ask 100.100.100.200; tests that are not about it turn it off, as users can */
const BASE = { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' };

function home(files: { cli?: unknown; ini?: string } = {}): string {
  const h = mkdtempSync(join(tmpdir(), 'artc-cred-'));
  if (files.cli !== undefined) {
    mkdirSync(join(h, '.aliyun'));
    writeFileSync(
      join(h, '.aliyun', 'config.json'),
      typeof files.cli === 'string' ? files.cli : JSON.stringify(files.cli),
    );
  }
  if (files.ini !== undefined) {
    mkdirSync(join(h, '.alibabacloud'));
    writeFileSync(join(h, '.alibabacloud', 'credentials'), files.ini);
  }
  return h;
}

const cli = (profile: Record<string, unknown>) => ({ current: profile.name, profiles: [profile] });

async function failure(env: NodeJS.ProcessEnv, h: string): Promise<CredentialsError> {
  const e = await credentialChain({ env: { ...BASE, ...env }, home: h })
    .get()
    .then(
      () => null,
      (x: unknown) => x,
    );
  expect(e).toBeInstanceOf(CredentialsError);
  expect((e as Error).message).not.toContain(SECRET);
  expect((e as Error).message).not.toContain(TOKEN);
  return e as CredentialsError;
}

let uriServer: Server;
let uri = '';
beforeAll(async () => {
  uriServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/bad') return void res.writeHead(500).end('{"Code":"Nope"}');
    // no SecurityToken: the library then quotes the whole answer in its error
    if (req.url === '/partial')
      return void res.end(JSON.stringify({ AccessKeyId: 'STS.partial', AccessKeySecret: 'uri-secret-unknown-to-us' }));
    res.end(
      JSON.stringify({
        Code: 'Success',
        AccessKeyId: 'STS.uri',
        AccessKeySecret: SECRET,
        SecurityToken: TOKEN,
        Expiration: '2099-01-01T00:00:00Z',
      }),
    );
  });
  await new Promise<void>((r) => uriServer.listen(0, '127.0.0.1', r));
  uri = `http://127.0.0.1:${(uriServer.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => uriServer.close(() => r())));
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

describe('INI credentials file, every type', () => {
  const ini = (body: string) => home({ ini: `[default]\n${body}\n` });

  it('access_key and sts resolve; ALIBABA_CLOUD_CREDENTIALS_FILE and ALIBABA_CLOUD_PROFILE move it', async () => {
    const ak = credentialChain({
      env: BASE,
      home: ini(`type = access_key\naccess_key_id = i-id\naccess_key_secret = ${SECRET}`),
    });
    expect(await ak.get()).toMatchObject({ accessKeyId: 'i-id', securityToken: undefined });
    expect(describeInfo(ak.info())).toBe('access_key via ~/.alibabacloud/credentials [default]');
    const file = join(home(), 'creds.ini');
    writeFileSync(
      file,
      `[other]\ntype = sts\naccess_key_id = o-id\naccess_key_secret = ${SECRET}\nsecurity_token = ${TOKEN}\n`,
    );
    const sts = credentialChain({
      env: { ...BASE, ALIBABA_CLOUD_CREDENTIALS_FILE: file, ALIBABA_CLOUD_PROFILE: 'other' },
      home: home(),
    });
    expect(await sts.get()).toMatchObject({ accessKeyId: 'o-id', securityToken: TOKEN });
    expect(describeInfo(sts.info())).toBe(`sts via ${file} [other]`);
  });

  it('credentials_uri fetches the URI and knows when the credentials expire', async () => {
    const c = credentialChain({ env: BASE, home: ini(`type = credentials_uri\ncredentials_uri = ${uri}/creds`) });
    expect(await c.get()).toMatchObject({ accessKeyId: 'STS.uri', securityToken: TOKEN });
    expect(c.info()).toEqual({
      type: 'credentials_uri',
      source: '~/.alibabacloud/credentials [default]',
      expiresAt: Date.parse('2099-01-01T00:00:00Z'),
    });
  });

  it.each([
    [
      'ram_role_arn',
      `type = ram_role_arn\naccess_key_id = id\naccess_key_secret = ${SECRET}`,
      /ram_role_arn via .*\[default\]: type ram_role_arn needs role_arn/,
    ],
    [
      'ecs_ram_role',
      'type = ecs_ram_role\nrole_name = r',
      /ecs_ram_role via .*\[default\]: IMDS credentials is disabled/,
    ],
    [
      'oidc_role_arn',
      'type = oidc_role_arn\nrole_arn = acs:ram::1:role/r\noidc_provider_arn = acs:ram::1:oidc-provider/x\noidc_token_file_path = /nonexistent/token',
      /oidc_role_arn via .*\[default\]: .*\/nonexistent\/token/,
    ],
    [
      'credentials_uri',
      'type = credentials_uri\ncredentials_uri = URI/bad',
      /credentials_uri via .*\[default\]: get sts token failed, httpStatus: 500/,
    ],
    [
      'access_key',
      'type = access_key\naccess_key_id = id',
      /access_key via .*\[default\]: type access_key needs access_key_secret/,
    ],
    [
      'bearer',
      'type = bearer\nbearer_token = x',
      /bearer via .*\[default\]: type bearer is not usable for signing API calls/,
    ],
  ])(
    '%s that cannot work fails with a message naming the type and section',
    async (_t, body, message) => {
      vi.stubEnv('ALIBABA_CLOUD_ECS_METADATA_DISABLED', 'true'); // see EcsRamRole above: no call to 100.100.100.200
      const e = await failure({}, ini(body.replace('URI', uri)));
      expect(e.message).toMatch(message);
    },
    20_000,
  );
});

describe('library messages that quote what they were given', () => {
  it('never show a secret, even one no source declared', async () => {
    const e = await failure({}, home({ ini: `[default]\ntype = credentials_uri\ncredentials_uri = ${uri}/partial\n` }));
    expect(e.message).toMatch(
      /credentials_uri via .*: error retrieving credentials from credentialsURI result: .*"AccessKeySecret":"\[redacted\]"/,
    );
    expect(e.message).not.toContain('uri-secret-unknown-to-us');
  });

  it("count the files' own secrets among those to redact", async () => {
    const c = credentialChain({
      env: BASE,
      home: home({
        cli: cli({
          name: 'p',
          mode: 'RamRoleArn',
          access_key_id: 'id',
          access_key_secret: SECRET,
          ram_role_arn: 'acs:ram::1:role/r',
          sts_endpoint: '127.0.0.1:1',
        }),
      }),
    });
    await expect(c.get()).rejects.toThrow(/RamRoleArn via ~\/\.aliyun\/config\.json profile p: /);
    expect(c.secrets()).toContain(SECRET);
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
