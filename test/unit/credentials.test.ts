import { describe, expect, it } from 'vitest';
import { CredentialsError, findCredentials, requireCredentials } from '../../script/credentials.js';

const HOME = '/home/u';
function files(map: Record<string, string>) {
  return (p: string) => map[p];
}
const CLI = `${HOME}/.aliyun/config.json`;
const INI = `${HOME}/.alibabacloud/credentials`;

describe('credential chain', () => {
  it('prefers the environment, with an STS token when set', () => {
    const r = findCredentials({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sec', ALIBABA_CLOUD_SECURITY_TOKEN: 'tok' }, home: HOME, readFile: files({}) });
    expect(r).toEqual({ credentials: { accessKeyId: 'id', accessKeySecret: 'sec', securityToken: 'tok' }, source: 'environment (STS token)' });
  });

  it('refuses half an environment pair', () => {
    expect(() => findCredentials({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' }, home: HOME, readFile: files({}) })).toThrow(/must be set together/);
  });

  const cliConfig = JSON.stringify({
    current: 'work',
    profiles: [
      { name: 'default', mode: 'AK', access_key_id: 'd-id', access_key_secret: 'd-sec' },
      { name: 'work', mode: 'StsToken', access_key_id: 'w-id', access_key_secret: 'w-sec', sts_token: 'w-tok' },
      { name: 'sso', mode: 'CloudSSO' },
    ],
  });

  it("reads the aliyun CLI's current profile, or ALIBABA_CLOUD_PROFILE", () => {
    expect(findCredentials({ env: {}, home: HOME, readFile: files({ [CLI]: cliConfig }) })).toMatchObject({ credentials: { accessKeyId: 'w-id', securityToken: 'w-tok' }, source: `${CLI} (profile work, STS token)` });
    expect(findCredentials({ env: { ALIBABA_CLOUD_PROFILE: 'default' }, home: HOME, readFile: files({ [CLI]: cliConfig }) })).toMatchObject({ credentials: { accessKeyId: 'd-id', securityToken: undefined } });
    expect(() => findCredentials({ env: { ALIBABA_CLOUD_PROFILE: 'sso' }, home: HOME, readFile: files({ [CLI]: cliConfig }) })).toThrow(/mode CloudSSO/);
    expect(() => findCredentials({ env: {}, home: HOME, readFile: files({ [CLI]: '{oops' }) })).toThrow(/not valid JSON/);
  });

  it('reads the INI credentials file, with ALIBABA_CLOUD_CREDENTIALS_FILE overriding its path', () => {
    const ini = '[default]\ntype = access_key\naccess_key_id = i-id\naccess_key_secret = i-sec\n\n[other]\ntype = sts\naccess_key_id = o-id\naccess_key_secret = o-sec\nsecurity_token = o-tok\n';
    expect(findCredentials({ env: {}, home: HOME, readFile: files({ [INI]: ini }) })).toEqual({ credentials: { accessKeyId: 'i-id', accessKeySecret: 'i-sec', securityToken: undefined }, source: `${INI} [default]` });
    expect(findCredentials({ env: { ALIBABA_CLOUD_CREDENTIALS_FILE: '/etc/x', ALIBABA_CLOUD_PROFILE: 'other' }, home: HOME, readFile: files({ '/etc/x': ini }) })).toMatchObject({ credentials: { accessKeyId: 'o-id', securityToken: 'o-tok' } });
  });

  it('says where it looked when nothing is found', () => {
    const r = findCredentials({ env: {}, home: HOME, readFile: files({}) });
    expect(r).toEqual({ looked: [expect.stringContaining('environment'), CLI, INI] });
    let err: unknown;
    try {
      requireCredentials({ env: {}, home: HOME, readFile: files({}) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toContain(CLI);
    expect((err as Error).message).toContain(INI);
    expect((err as Error).message).toContain('--sandbox');
  });
});
