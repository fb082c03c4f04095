/**
 * The built CLI with a RamRoleArn profile, as a user runs it: `url` and `doctor` resolve the role through
 * the sandbox's HTTPS STS stand-in (its self-signed certificate trusted with NODE_EXTRA_CA_CERTS, the way
 * a corporate CA would be), and neither the AccessKey secret nor an STS secret or token is ever printed.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../script/sandbox/index.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { makeCert, type TestCert } from '../helpers/sts-cert.js';

let sb: SandboxHandle;
let cert: TestCert;

beforeAll(async () => {
  cert = makeCert();
  sb = await startSandbox({ apiPort: 0, rtmpPort: 0, stsTls: { key: cert.key, cert: cert.cert } });
}, 60_000);
afterAll(() => sb?.stop());

function ramRoleEnv(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'artc-cli-ramrole-'));
  mkdirSync(join(home, '.aliyun'));
  const profile = {
    name: 'prod',
    mode: 'RamRoleArn',
    access_key_id: sb.credentials.accessKeyId,
    access_key_secret: sb.credentials.accessKeySecret,
    ram_role_arn: 'acs:ram::1234567890123456:role/artc-ingest',
    ram_session_name: 'obs-pc',
    sts_endpoint: sb.stsEndpoint,
  };
  writeFileSync(join(home, '.aliyun', 'config.json'), JSON.stringify({ current: 'prod', profiles: [profile] }));
  return cleanEnv(home, {
    ALIBABA_CLOUD_LIVE_ENDPOINT: sb.endpoint,
    NODE_EXTRA_CA_CERTS: cert.certPath,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  });
}

function expectNoSecrets(text: string): void {
  expect(text).not.toContain(sb.credentials.accessKeySecret);
  // the stand-in's security tokens: CAIS + base64 of 96 bytes
  expect(text).not.toMatch(/CAIS[A-Za-z0-9+/]{20,}/);
}

function iniEnv(section: string): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'artc-cli-ini-'));
  mkdirSync(join(home, '.alibabacloud'));
  writeFileSync(join(home, '.alibabacloud', 'credentials'), `[default]\n${section}\n`);
  return cleanEnv(home, {
    ALIBABA_CLOUD_LIVE_ENDPOINT: sb.endpoint,
    NODE_EXTRA_CA_CERTS: cert.certPath,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  });
}

describe("CLI with an INI credentials file (the library's Credential class, through the bundle)", () => {
  it("type ram_role_arn: `url` works with the role's STS key", async () => {
    const section = `type = ram_role_arn\naccess_key_id = ${sb.credentials.accessKeyId}\naccess_key_secret = ${sb.credentials.accessKeySecret}\nrole_arn = acs:ram::1234567890123456:role/artc-ingest\nrole_session_name = obs-pc\nsts_endpoint = ${sb.stsEndpoint}`;
    const r = await runCli(
      ['url', '--app-id', 'app1', '--channel-id', 'room1', '--user-id', 'obs-2', '--display-name', 'Studio', '--json'],
      iniEnv(section),
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ rtmpAddress: expect.stringMatching(/^rtmp:/) });
    expectNoSecrets(r.stdout + r.stderr);
  }, 30_000);

  it('type sts: `doctor` names it and says a fixed token cannot be renewed', async () => {
    const r = await runCli(
      ['doctor', '--endpoint', sb.endpoint, '--timeout', '2000'],
      iniEnv(
        'type = sts\naccess_key_id = STS.fixed\naccess_key_secret = fixed-secret-never-printed\nsecurity_token = CAISfixedtoken',
      ),
      30_000,
    );
    expect(r.stdout).toContain(
      '✔ Credentials: sts via ~/.alibabacloud/credentials [default] (STS token; its expiry is not known',
    );
    expect(r.stdout + r.stderr).not.toContain('fixed-secret-never-printed');
  }, 30_000);
});

describe('CLI with a RamRoleArn profile (aliyun CLI config)', () => {
  it('`url` mints an ingest URL with the STS key the role gave', async () => {
    const before = sb.stats().outcomes.AssumeRole?.OK ?? 0;
    const r = await runCli(
      ['url', '--app-id', 'app1', '--channel-id', 'room1', '--user-id', 'obs-1', '--display-name', 'Studio', '--json'],
      ramRoleEnv(),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rtmpAddress: expect.stringMatching(/^rtmp:\/\/127\.0\.0\.1:/) });
    expect((sb.stats().outcomes.AssumeRole?.OK ?? 0) - before).toBe(1);
    expectNoSecrets(r.stdout + r.stderr);
  }, 30_000);

  it('`doctor` names the type and source and says when the STS credentials expire', async () => {
    const r = await runCli(['doctor', '--endpoint', sb.endpoint, '--timeout', '2000'], ramRoleEnv(), 30_000);
    const line = r.stdout.split('\n').find((l) => l.includes('Credentials'));
    expect(line).toMatch(
      /^✔ Credentials: RamRoleArn via ~\/\.aliyun\/config\.json profile prod; the current STS credentials expire \d{4}-\d{2}-\d{2}T[\d:.]+Z \(in (59|60) min\) and are refreshed 15 min before$/,
    );
    expectNoSecrets(r.stdout + r.stderr);
  }, 30_000);

  it('without the certificate trusted, the failure names the profile and the TLS cause', async () => {
    const env = ramRoleEnv();
    delete env.NODE_EXTRA_CA_CERTS;
    const r = await runCli(
      ['url', '--app-id', 'app1', '--channel-id', 'room1', '--user-id', 'obs-1', '--display-name', 'Studio'],
      env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RamRoleArn via ~\/\.aliyun\/config\.json profile prod: .*(self[- ]signed|certificate)/i);
    expectNoSecrets(r.stdout + r.stderr);
  }, 30_000);
});
