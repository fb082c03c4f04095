import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVerifier, type Seen } from '../helpers/official-verifier.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const AK = 'LTAI5tCliTestKey';
const SECRET = 'cli-secret-0d8f7a6b5c4e3d2f1a0b';
const ADDRESS =
  'rtmp://rtcpush.example.com/rtcdev1/H4sIAAAAopaque?auth_key=1700492701-6e33-0-c6d7e3a93dc2dbe3af42f6259ccd0000';

let verifier: Awaited<ReturnType<typeof startVerifier>>;
let home: string;
let next: ((s: Seen) => { status: number; body: unknown }) | null = null;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'artc-cli-'));
  verifier = await startVerifier({ [AK]: SECRET }, (s) => {
    if (next) return next(s);
    if (s.action === 'CreateRoomRealTimeStreamAddress')
      return { status: 200, body: { RequestId: 'CREATE-1', RtmpAddress: ADDRESS } };
    const page = Number(s.query.PageNum ?? 1);
    return {
      status: 200,
      body: {
        RequestId: `PART-${page}`,
        Times: 1557909133,
        TotalNum: 12,
        TotalPage: 2,
        UserList: page === 1 ? ['a1,a2,a3,a4,a5,a6,a7,a8,a9,a10'] : ['b1,b2'],
      },
    };
  });
});
afterAll(async () => {
  await verifier.close();
  rmSync(home, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}) =>
  cleanEnv(home, { ALIBABA_CLOUD_ACCESS_KEY_ID: AK, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET, ...extra });
const URL_ARGS = ['--app-id', 'app1', '--channel-id', 'room1', '--user-id', 'obs1', '--display-name', '直播 Studio *~'];

function expectNoSecret(r: { stdout: string; stderr: string }) {
  expect(r.stdout).not.toContain(SECRET);
  expect(r.stderr).not.toContain(SECRET);
}

describe('artc-ingest CLI against a signature-verifying endpoint', () => {
  it('url --json prints the contract object; the request is V3-signed, GET, query only', async () => {
    const before = verifier.seen.length;
    const r = await runCli(
      ['url', ...URL_ARGS, '--expire-time', '600', '--json', '--endpoint', verifier.endpoint],
      env(),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['requestId', 'rtmpAddress', 'server', 'streamKey', 'expiresAt']);
    expect(out.requestId).toBe('CREATE-1');
    expect(`${out.server}/${out.streamKey}`).toBe(out.rtmpAddress);
    expect(out.server).not.toContain('auth_key');
    expect(out.streamKey).toContain('auth_key=');
    const ms = Date.parse(out.expiresAt) - Date.now();
    expect(ms).toBeGreaterThan(590_000);
    expect(ms).toBeLessThanOrEqual(600_000);
    const req = verifier.seen[before]!;
    expect(req).toMatchObject({ method: 'GET', action: 'CreateRoomRealTimeStreamAddress', signatureOk: true });
    expect(req.headers['x-acs-version']).toBe('2016-11-01');
    expect(req.headers.accept).toBe('application/json');
    expect(req.query).toEqual({
      AppId: 'app1',
      ChannelId: 'room1',
      UserId: 'obs1',
      DisplayName: '直播 Studio *~',
      ExpireTime: '600',
    });
    expectNoSecret(r);
  });

  it('url without --json shows Server, Stream key and expiry', async () => {
    const r = await runCli(['url', ...URL_ARGS, '--endpoint', verifier.endpoint], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Server: +rtmp:\/\/rtcpush\.example\.com\/rtcdev1\n/);
    expect(r.stdout).toMatch(/Stream key: +H4sIAAAAopaque\?auth_key=/);
    expect(r.stdout).toMatch(/Expires: +\d{4}-\d\d-\d\dT/);
  });

  it('the endpoint also comes from ALIBABA_CLOUD_LIVE_ENDPOINT', async () => {
    const r = await runCli(['url', ...URL_ARGS, '--json'], env({ ALIBABA_CLOUD_LIVE_ENDPOINT: verifier.endpoint }));
    expect(r.code).toBe(0);
  });

  it('participants --json pages through every user (POST, comma-joined lists flattened)', async () => {
    const before = verifier.seen.length;
    const r = await runCli(
      ['participants', '--app-id', 'app1', '--channel-id', 'room1', '--json', '--endpoint', verifier.endpoint],
      env(),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      requestId: 'PART-1',
      users: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10', 'b1', 'b2'],
      total: 12,
    });
    expect(verifier.seen.slice(before).map((s) => [s.method, s.query.PageNum, s.signatureOk])).toEqual([
      ['POST', '1', true],
      ['POST', '2', true],
    ]);
  });

  it.each([
    [
      ['url', '--app-id', 'app1', '--channel-id', 'room1', '--user-id', 'bad id', '--display-name', 'x'],
      /--user-id: UserId may contain only/,
    ],
    [
      ['url', '--app-id', 'a'.repeat(65), '--channel-id', 'room1', '--user-id', 'u', '--display-name', 'x'],
      /--app-id: AppId must be at most 64/,
    ],
    [
      ['url', '--app-id', 'app1', '--channel-id', 'room1', '--user-id', 'u', '--display-name', 'x'.repeat(41)],
      /--display-name: DisplayName must be at most 40/,
    ],
    [['url', ...URL_ARGS, '--expire-time', '10.5'], /--expire-time: must be a whole number/],
    [['url', ...URL_ARGS, '--expire-time', '0'], /--expire-time: ExpireTime must be a positive/],
    [['url', '--app-id', 'app1', '--channel-id', 'room1', '--user-id', 'u'], /--display-name is required/],
    [['participants', '--app-id', 'app1'], /--channel-id is required/],
    [['url', ...URL_ARGS, '--colour', 'blue'], /Unknown option '--colour'/],
    [['url', ...URL_ARGS, '--endpoint', 'http://example.com'], /--endpoint: http:\/\/ is allowed only/],
    [['nope'], /unknown command "nope"/],
  ])('exit 2 without a request for %j', async (args, message) => {
    const before = verifier.seen.length;
    const r = await runCli([...args, ...(args.includes('--endpoint') ? [] : ['--endpoint', verifier.endpoint])], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(verifier.seen.length).toBe(before);
  });

  it('exit 1 with the cloud Code, Message and RequestId', async () => {
    next = () => ({
      status: 403,
      body: { RequestId: 'DENY-42', HostId: 'live.aliyuncs.com', Code: 'NoAuth', Message: 'No permission' },
    });
    try {
      const r = await runCli(['url', ...URL_ARGS, '--endpoint', verifier.endpoint], env());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('NoAuth: No permission');
      expect(r.stderr).toContain('RequestId: DENY-42');
      expectNoSecret(r);
    } finally {
      next = null;
    }
  });

  it('a wrong secret fails the signature check: exit 1, SignatureDoesNotMatch, secret not printed', async () => {
    const wrong = 'the-wrong-secret-123456';
    const r = await runCli(
      ['url', ...URL_ARGS, '--endpoint', verifier.endpoint],
      env({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: wrong }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SignatureDoesNotMatch');
    expect(r.stderr).toContain('RequestId: SIG-1');
    expect(r.stderr + r.stdout).not.toContain(wrong);
  });

  it('no credentials anywhere: exit 1 listing where it looked', async () => {
    const r = await runCli(['url', ...URL_ARGS, '--endpoint', verifier.endpoint], cleanEnv(home));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No Alibaba Cloud credentials found');
    expect(r.stderr).toContain('.aliyun/config.json');
  });

  it('--help works on every command', async () => {
    for (const cmd of ['url', 'participants']) {
      const r = await runCli([cmd, '--help'], env());
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: artc-ingest ${cmd}`);
    }
  });
});
