/**
 * The official chain on a real INI credentials file in a temp HOME: every type resolves or fails naming it,
 * and the library messages that quote what they were given show no secret. A local credentials_uri server.
 */
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { credentialChain } from '../../script/cloud/credential-chain.js';
import { describeInfo } from '../../script/cloud/credentials.js';
import { BASE, SECRET, TOKEN, cli, failure, home } from '../helpers/credential-chain-fixtures.js';

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
