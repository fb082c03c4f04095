import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { doctor, formatLine, runChecks } from '../../script/doctor/doctor.js';
import type { CheckLine, DoctorDeps } from '../../script/doctor/checks.js';
import type { ObsProbe } from '../../script/doctor/obs-probe.js';
import { detectObsLayout } from '../../script/install/obs-layout.js';
import { install } from '../../script/install/install.js';
import { readObsWebsocket } from '../../script/obs-config.js';
import { CredentialsError, staticCredentials, type CredentialSource } from '../../script/cloud/credentials.js';
import { main } from '../../script/cli/index.js';
import { makeObsConfig, type Fixture } from '../helpers/install-fixtures.js';

const TOKEN = 'k'.repeat(43);
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const fixtures: Fixture[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) rmSync(f.root, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const refused = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

interface FakeNet {
  endpoint?: () => Response | Error;
  helper?: () => Response | Error;
}

function fakeFetch(net: FakeNet): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input);
    const pick = url.startsWith('http://127.0.0.1:') ? net.helper : net.endpoint;
    const r = pick ? pick() : refused();
    if (r instanceof Error) throw r;
    return r;
  }) as typeof fetch;
}

/** An OBS 29 folder with artc-ingest installed (websocket on) and every check passing by default. */
function deps(over: Partial<DoctorDeps> & { net?: FakeNet; installed?: boolean } = {}): { d: DoctorDeps; f: Fixture } {
  const f = makeObsConfig(29);
  fixtures.push(f);
  if (over.installed !== false) {
    install({
      obsConfigDir: f.obsDir,
      helperDir: f.helperDir,
      port: 4466,
      sandbox: false,
      nodePath: process.execPath,
      helperPath: process.execPath,
      scriptPath: process.execPath.replace(/node$/, 'artc-ingest.lua'),
      enableWebsocket: true,
      dryRun: false,
      findRunningObs: () => [],
      out: () => undefined,
      loadToken: () => TOKEN,
    });
  }
  const layout = () => {
    try {
      return detectObsLayout(f.obsDir);
    } catch (e) {
      return e as Error;
    }
  };
  const net = over.net ?? {
    endpoint: () => new Response('', { status: 404, headers: { date: new Date(NOW).toUTCString() } }),
    helper: () => json(200, { ok: true, version: '0.1.0', mode: 'cloud' }),
  };
  const d: DoctorDeps = {
    now: () => NOW,
    fetch: fakeFetch(net),
    sandbox: false,
    endpoint: 'https://live.aliyuncs.com',
    obsDir: f.obsDir,
    port: 4466,
    token: TOKEN,
    platform: 'linux',
    timeoutMs: 1_000,
    credentials: () =>
      staticCredentials(
        { accessKeyId: 'id', accessKeySecret: 'secret' },
        { type: 'AK', source: 'environment (ALIBABA_CLOUD_ACCESS_KEY_ID)' },
      ),
    readSandbox: () => null,
    layout,
    readWebsocket: () => readObsWebsocket(f.obsDir),
    connectObs: async (): Promise<ObsProbe> => ({ ok: true, obsVersion: '29.0.2', wsVersion: '5.1.0' }),
    // the fixture's script path is not a real file: say it exists unless a test says otherwise
    exists: () => true,
    ...over,
  };
  return { d, f };
}

async function lineOf(d: DoctorDeps, name: string): Promise<CheckLine> {
  const l = (await runChecks(d)).find((x) => x.name === name);
  if (!l) throw new Error(`no line ${name}`);
  return l;
}

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

  describe('OBS config and obs-websocket', () => {
    it('OBS config not found', async () => {
      const { d, f } = deps({ installed: false });
      rmSync(f.files.global);
      const l = await lineOf(d, 'OBS config');
      expect(l.status).toBe('fail');
      expect(l.detail).toContain('does not exist');
      expect(l.fix).toContain('--config-dir');
    });
    it('obs-websocket off: fix is install --enable-websocket or the OBS menu; the connection is not tried', async () => {
      const { d } = deps({
        installed: false,
        connectObs: async () => {
          throw new Error('must not connect');
        },
      });
      const lines = await runChecks(d);
      expect(formatLine(lines.find((l) => l.name === 'obs-websocket')!)).toMatch(
        /^✖ obs-websocket: off \(.*global\.ini\)\. Fix: close OBS and run `artc-ingest install --enable-websocket`, or in OBS: Tools > WebSocket Server Settings/,
      );
      expect(lines.find((l) => l.name === 'OBS connection')).toMatchObject({
        status: 'warn',
        detail: 'not tried: obs-websocket is off',
      });
    });
    it('no password required: a warning', async () => {
      const { d, f } = deps();
      writeFileSync(
        f.files.global,
        '[Basic]\nSceneCollectionFile=My_Scenes\n[OBSWebSocket]\nServerEnabled=true\nAuthRequired=false\n',
      );
      expect((await lineOf(d, 'obs-websocket')).status).toBe('warn');
    });
  });

  describe('OBS connection', () => {
    const probe = (p: ObsProbe) => async () => p;
    it('OBS not running', async () => {
      const l = await lineOf(
        deps({ connectObs: probe({ ok: false, reason: 'refused', detail: 'connection refused' }) }).d,
        'OBS connection',
      );
      expect(formatLine(l)).toMatch(/^✖ OBS connection: nothing answers at ws:\/\/127\.0\.0\.1:4455\. Fix: start OBS/);
    });
    it('wrong password (4009)', async () => {
      const l = await lineOf(
        deps({ connectObs: probe({ ok: false, reason: 'auth', detail: 'Authentication failed.' }) }).d,
        'OBS connection',
      );
      expect(l.detail).toMatch(/rejected the password in .*global\.ini/);
      expect(l.fix).toContain('restart OBS');
    });
    it('no answer before the deadline', async () => {
      expect(
        (
          await lineOf(
            deps({ connectObs: probe({ ok: false, reason: 'timeout', detail: 'no answer within 1000 ms' }) }).d,
            'OBS connection',
          )
        ).detail,
      ).toContain('no answer within 1000 ms');
    });
    it('passes the configured password and the deadline', async () => {
      const seen: unknown[] = [];
      const { d } = deps({
        connectObs: async (...a) => (seen.push(a), { ok: true, obsVersion: '29.0.2', wsVersion: '5.1.0' }),
      });
      await runChecks(d);
      expect(seen).toEqual([['ws://127.0.0.1:4455', expect.stringMatching(/^[A-Za-z0-9]{20}$/), 1_000]]);
    });
  });

  describe('dock and script', () => {
    it('not installed', async () => {
      const { d } = deps({ installed: false });
      const lines = await runChecks(d);
      expect(formatLine(lines.find((l) => l.name === 'Dock')!)).toMatch(
        /^✖ Dock: no "ARTC Ingest" dock in .*global\.ini\. Fix: close OBS and run `artc-ingest install`$/,
      );
      expect(formatLine(lines.find((l) => l.name === 'OBS script')!)).toBe(
        '✖ OBS script: artc-ingest.lua is not in scene collection "My Scenes". Fix: close OBS and run `artc-ingest install`',
      );
    });
    it('the dock carries another token', async () => {
      expect((await lineOf(deps({ token: 'z'.repeat(43) }).d, 'Dock')).detail).toContain('carries another token');
    });
    it('no token on this machine', async () => {
      expect((await lineOf(deps({ token: undefined }).d, 'Dock')).detail).toContain('no helper token yet');
    });
    it('the dock points at another port', async () => {
      const l = await lineOf(
        deps({ port: 5000, net: { endpoint: () => new Response(''), helper: refused } }).d,
        'Dock',
      );
      expect(formatLine(l)).toBe(
        '✖ Dock: the dock points at port 4466, the helper uses 5000. Fix: close OBS and run `artc-ingest install --port 5000`',
      );
    });
    it('the registered script file is gone', async () => {
      expect((await lineOf(deps({ exists: () => false }).d, 'OBS script')).detail).toMatch(
        /^registered, but .*artc-ingest\.lua does not exist/,
      );
    });
    it("the script's helper path is gone", async () => {
      expect((await lineOf(deps({ exists: (p) => p.endsWith('.lua') }).d, 'OBS script')).detail).toMatch(
        /its helper path .* does not exist/,
      );
    });
  });

  describe('helper port', () => {
    it('free', async () => {
      expect(
        formatLine(await lineOf(deps({ net: { endpoint: () => new Response(''), helper: refused } }).d, 'Helper port')),
      ).toBe("✔ Helper port: 4466 is free (the helper is not running; OBS's script starts it)");
    });
    it('ours, with another token', async () => {
      const l = await lineOf(
        deps({
          net: {
            endpoint: () => new Response(''),
            helper: () => json(401, { code: 'TokenInvalid', message: 'x', retryable: false }),
          },
        }).d,
        'Helper port',
      );
      expect(l.status).toBe('fail');
      expect(l.detail).toContain('an artc-ingest helper with another token answers');
    });
    it('another program (real sockets: a port answering 404, then a free port)', async () => {
      const srv = createServer((_, res) => res.writeHead(404).end('nope'));
      servers.push(srv);
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const port = (srv.address() as { port: number }).port;
      const { d } = deps({ port, fetch });
      const l = await lineOf(d, 'Helper port');
      expect(formatLine(l)).toBe(
        `✖ Helper port: ${port} is taken by another program (HTTP 404). Fix: stop that program, or use another port (\`artc-ingest install --port N\`)`,
      );
      await new Promise((r) => srv.close(r));
      servers.length = 0;
      expect((await lineOf({ ...d, fetch }, 'Helper port')).detail).toBe(
        `${port} is free (the helper is not running; OBS's script starts it)`,
      );
    });
  });

  it('CLI: unknown flags are usage errors (exit 2); --timeout is checked', async () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (t: string) => (err += t), env: {} };
    expect(await main(['doctor', '--bogus'], io)).toBe(2);
    expect(err).toContain("Unknown option '--bogus'");
    expect(await main(['doctor', '--timeout', '5'], io)).toBe(2);
    expect(await main(['install', '--port', '80'], io)).toBe(2);
    const f = makeObsConfig(29);
    fixtures.push(f);
    const envIo = { ...io, env: { ARTC_INGEST_HOME: f.helperDir } };
    expect(await main(['install', '--obs-version', 'abc', '--config-dir', f.obsDir], envIo)).toBe(2);
    expect(err).toContain('--obs-version: expected a version like 29, 30.2 or 31, got "abc"');
    expect(await main(['uninstall', '--config-dir', join(f.root, 'missing')], envIo)).toBe(1);
    expect(err).toContain('OBS config not found');
  });
});
