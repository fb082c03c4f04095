/**
 * doctor: the all-green run, line format, and the credentials, clock-skew and endpoint checks. (OBS, dock/script and
 * helper port: doctor-obs.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { doctor, formatLine, runChecks } from '../../script/doctor/doctor.js';
import { CredentialsError, type CredentialSource } from '../../script/cloud/credentials.js';
import { NOW, TOKEN, cleanupDoctorFixtures, deps, lineOf, refused } from '../helpers/doctor-fixtures.js';

afterEach(cleanupDoctorFixtures);

describe('doctor', () => {
  it('all green: one ✔ line per check, exit 0, no secret printed', async () => {
    const { d } = deps();
    let out = '';
    expect(await doctor(d, (t) => (out += t))).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .filter((l) => /^[✔!✖] /.test(l));
    expect(lines.map((l) => l.split(':')[0])).toEqual([
      '✔ Credentials',
      '✔ Clock',
      '✔ Endpoint',
      '✔ OBS config',
      '✔ obs-websocket',
      '✔ OBS connection',
      '✔ Dock',
      '✔ OBS script',
      '✔ Helper port',
    ]);
    expect(out).toContain('All checks passed.');
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('secret');
  });

  it('formats a failure with its fix on the same line', () => {
    expect(formatLine({ status: 'fail', name: 'X', detail: 'broken', fix: 'mend it' })).toBe(
      '✖ X: broken. Fix: mend it',
    );
    expect(formatLine({ status: 'warn', name: 'Y', detail: 'hmm' })).toBe('! Y: hmm');
  });

  describe('credentials', () => {
    const failing = (e: Error): CredentialSource => ({
      get: () => Promise.reject(e),
      refresh: () => Promise.reject(e),
      info: () => ({ type: 'none', source: 'nowhere' }),
      secrets: () => [],
    });
    it('none found: lists where it looked, exit 1', async () => {
      const { d } = deps({
        credentials: () => failing(new CredentialsError('none', ['environment', '~/.aliyun/config.json'], false)),
      });
      const l = await lineOf(d, 'Credentials');
      expect(l.status).toBe('fail');
      expect(formatLine(l)).toMatch(
        /no Alibaba Cloud credentials found \(looked in environment; ~\/\.aliyun\/config\.json\).*Fix: set ALIBABA_CLOUD_ACCESS_KEY_ID/,
      );
      expect(await doctor(d, () => undefined)).toBe(1);
    });
    it('a broken credentials file is explained, not thrown', async () => {
      const { d } = deps({
        credentials: () => failing(new CredentialsError('aliyun CLI via ~/.aliyun/config.json: not valid JSON', [])),
      });
      expect(formatLine(await lineOf(d, 'Credentials'))).toMatch(
        /^✖ Credentials: aliyun CLI via ~\/\.aliyun\/config\.json: not valid JSON\. Fix:/,
      );
    });
    it('several failing candidates make one line, in chain order', async () => {
      const e = new CredentialsError(
        'No usable Alibaba Cloud credentials:\n  - OIDC via environment: no token file\n  - EcsRamRole via ECS instance metadata: 404',
        [],
      );
      expect(formatLine(await lineOf(deps({ credentials: () => failing(e) }).d, 'Credentials'))).toMatch(
        /^✖ Credentials: No usable Alibaba Cloud credentials: OIDC via environment: no token file; EcsRamRole via ECS instance metadata: 404\. Fix:/,
      );
    });
    it('says which type and source it used', async () => {
      expect((await lineOf(deps().d, 'Credentials')).detail).toBe('AK via environment (ALIBABA_CLOUD_ACCESS_KEY_ID)');
    });
    it('for STS credentials says when they expire, and never prints the token', async () => {
      const source: CredentialSource = {
        get: async () => ({
          accessKeyId: 'STS.id',
          accessKeySecret: 'sts-secret-value',
          securityToken: 'CAIS-token-value',
        }),
        refresh: async () => ({
          accessKeyId: 'STS.id',
          accessKeySecret: 'sts-secret-value',
          securityToken: 'CAIS-token-value',
        }),
        info: () => ({
          type: 'RamRoleArn',
          source: '~/.aliyun/config.json profile prod',
          expiresAt: NOW + 45 * 60_000,
        }),
        secrets: () => ['sts-secret-value', 'CAIS-token-value'],
      };
      const l = formatLine(await lineOf(deps({ credentials: () => source }).d, 'Credentials'));
      expect(l).toBe(
        `✔ Credentials: RamRoleArn via ~/.aliyun/config.json profile prod; the current STS credentials expire ${new Date(NOW + 45 * 60_000).toISOString()} (in 45 min) and are refreshed 15 min before`,
      );
    });
    it('a refresh that fails shows its cause, redacted', async () => {
      const e = new CredentialsError(
        'RamRoleArn via ~/.aliyun/config.json profile prod: refresh session token failed: key sts-secret-value',
        [],
      );
      const src = { ...failing(e), secrets: () => ['sts-secret-value'] };
      const l = formatLine(await lineOf(deps({ credentials: () => src }).d, 'Credentials'));
      expect(l).toMatch(
        /^✖ Credentials: RamRoleArn via .*profile prod: refresh session token failed: key \[redacted\]/,
      );
      expect(l).not.toContain('sts-secret-value');
    });
  });

  describe('clock skew (from the API Date header)', () => {
    const at = (offsetMs: number) => ({
      endpoint: () => new Response('', { status: 404, headers: { date: new Date(NOW + offsetMs).toUTCString() } }),
      helper: refused,
    });
    it('16 min ahead fails: signatures fail past 15 min', async () => {
      const l = await lineOf(deps({ net: at(-16 * 60_000) }).d, 'Clock');
      expect(formatLine(l)).toBe(
        "✖ Clock: this machine is 16 min ahead of the API's clock: signed requests fail past 15 min. Fix: turn on time sync: `sudo timedatectl set-ntp true`",
      );
    });
    it('20 min behind fails too', async () => {
      expect((await lineOf(deps({ net: at(20 * 60_000) }).d, 'Clock')).detail).toContain(
        "20 min behind the API's clock",
      );
    });
    it('6 min off warns, 30 s is fine', async () => {
      expect((await lineOf(deps({ net: at(6 * 60_000) }).d, 'Clock')).status).toBe('warn');
      expect((await lineOf(deps({ net: at(30_000) }).d, 'Clock')).detail).toBe("within 30 s of the API's clock");
    });
    it('the per-OS fix', async () => {
      expect((await lineOf(deps({ net: at(-16 * 60_000), platform: 'win32' }).d, 'Clock')).fix).toContain('Sync now');
    });
    it('no Date header, or no answer: a warning, not a failure', async () => {
      expect(
        (await lineOf(deps({ net: { endpoint: () => new Response('', { status: 404 }) } }).d, 'Clock')).status,
      ).toBe('warn');
      expect((await lineOf(deps({ net: { endpoint: refused } }).d, 'Clock')).detail).toMatch(
        /^not compared: the endpoint did not answer/,
      );
    });
  });

  describe('endpoint', () => {
    it('unreachable offline (DNS) is explained with a hint, not a crash', async () => {
      const dns = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
      const l = await lineOf(deps({ net: { endpoint: dns, helper: refused } }).d, 'Endpoint');
      expect(formatLine(l)).toBe(
        '✖ Endpoint: https://live.aliyuncs.com unreachable (ENOTFOUND). Fix: check the network, DNS or proxy; offline, try `--sandbox`',
      );
    });
    it('a timeout says so', async () => {
      const timeout = () =>
        Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
      expect((await lineOf(deps({ net: { endpoint: timeout } }).d, 'Endpoint')).detail).toBe(
        'https://live.aliyuncs.com unreachable (timed out)',
      );
    });
    it('sandbox without a running sandbox: a warning that says how to start one', async () => {
      const { d } = deps({ sandbox: true });
      const lines = await runChecks(d);
      expect(lines.find((l) => l.name === 'Endpoint')).toMatchObject({
        status: 'warn',
        detail: 'no sandbox is running',
      });
      expect(lines.find((l) => l.name === 'Credentials')!.status).toBe('ok');
      expect(lines.find((l) => l.name === 'Clock')!.status).toBe('ok');
    });
    it('sandbox running: probes its endpoint', async () => {
      const { d } = deps({
        sandbox: true,
        readSandbox: () => ({
          pid: 1,
          endpoint: 'http://127.0.0.1:4467',
          rtmpPort: 1935,
          accessKeyId: 'a',
          accessKeySecret: 'b',
          startedAt: 'x',
        }),
        net: { helper: () => new Response('', { status: 404 }) },
      });
      expect((await lineOf(d, 'Endpoint')).detail).toBe('http://127.0.0.1:4467 answers (HTTP 404 in 0 ms)');
    });
  });
});
