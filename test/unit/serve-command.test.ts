/**
 * `serve` in-process: flags, the printed dock URL, shutdown on abort; the token store; the parent-PID watch.
 * (The helper assembly in sandbox mode: serve-helper-sandbox.test.ts.)
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { TOKEN_HEADER } from '../../shared/api-routes.js';
import { main } from '../../script/cli/index.js';
import { parseHost, parseParentPid } from '../../script/cli/serve.js';
import { parsePort } from '../../script/cli/port-flag.js';
import { watchParent } from '../../script/server/parent-watch.js';
import { loadOrCreateToken } from '../../script/server/token-store.js';
import { tokensEqual } from '../../script/server/token.js';
import { busyPort, freePort } from '../helpers/ports.js';
import { CREDS, io, tmpEnv, until } from '../helpers/serve-fixtures.js';

describe('serve command', () => {
  it('prints the dock URL with the token, serves the API, and exits 0 on abort', async () => {
    const env = tmpEnv(CREDS);
    const port = await freePort();
    const ac = new AbortController();
    const t = io(env, ac.signal);
    const done = main(['serve', '--port', String(port)], t.io);
    const line = await until(
      () => t.out.join('').match(/Dock URL: (http:\/\/127\.0\.0\.1:\d+\/\?token=([A-Za-z0-9_-]{43}))/) ?? undefined,
    );
    const [, url, token] = line;
    expect(url!.startsWith(`http://127.0.0.1:${port}/`)).toBe(true);
    expect(readFileSync(join(env.ARTC_INGEST_HOME!, 'token'), 'utf8').trim()).toBe(token);
    const health = await fetch(`http://127.0.0.1:${port}/api/health`, { headers: { [TOKEN_HEADER]: token! } });
    expect(await health.json()).toMatchObject({
      ok: true,
      mode: 'cloud',
      credentialSource: 'AK via environment (ALIBABA_CLOUD_ACCESS_KEY_ID)',
      endpoint: 'https://live.aliyuncs.com',
    });
    expect(t.out.join('') + t.err.join('')).not.toContain(CREDS.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
    ac.abort();
    expect(await done).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('reuses the token across restarts', async () => {
    const env = tmpEnv(CREDS);
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ac = new AbortController();
      const t = io(env, ac.signal);
      const done = main(['serve', '--port', String(await freePort())], t.io);
      tokens.push((await until(() => t.out.join('').match(/token=(\S+)/) ?? undefined))[1]!);
      ac.abort();
      await done;
    }
    expect(tokens[0]).toBe(tokens[1]);
  });

  it('a busy port exits 1 with a clear message', async () => {
    const blocker = await busyPort();
    const port = blocker.port;
    try {
      const t = io(tmpEnv(CREDS), new AbortController().signal);
      expect(await main(['serve', '--port', String(port)], t.io)).toBe(1);
      expect(t.err.join('')).toMatch(new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      blocker.close();
    }
  });

  it.each([
    [['--port', '0']],
    [['--port', '65536']],
    [['--port', '44a']],
    [['--port', '-1']],
    [['--host', '0.0.0.0']],
    [['--host', 'example.com']],
    [['--parent-pid', 'obs']],
  ])('bad input %j exits 2', async (args) => {
    const t = io(tmpEnv(CREDS), new AbortController().signal);
    expect(await main(['serve', ...args], t.io)).toBe(2);
    expect(t.err.join('')).toMatch(/--(port|host|parent-pid)/);
  });

  it('flag parsers', () => {
    expect(parsePort(undefined)).toBe(4466);
    expect(parsePort('65535')).toBe(65535);
    expect(() => parsePort('99999')).toThrow(/1 to 65535/);
    expect(parseHost(undefined)).toBe('127.0.0.1');
    expect(parseHost('localhost')).toBe('localhost');
    expect(parseParentPid('1234')).toBe(1234);
    expect(() => parseParentPid('0')).toThrow(/--parent-pid/);
  });
});

describe('token store', () => {
  it('creates 32 random bytes base64url, 0600, once; reuses it; replaces garbage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'artc-token-'));
    const t1 = loadOrCreateToken(dir, { randomBytes: (n) => Buffer.alloc(n, 7) });
    expect(t1).toBe(Buffer.alloc(32, 7).toString('base64url'));
    expect(t1).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateToken(dir, { randomBytes: (n) => Buffer.alloc(n, 9) })).toBe(t1);
    writeFileSync(join(dir, 'token'), 'garbage', { mode: 0o644 });
    const t2 = loadOrCreateToken(dir, { randomBytes: (n) => Buffer.alloc(n, 9) });
    expect(t2).toBe(Buffer.alloc(32, 9).toString('base64url'));
    expect(statSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
  });

  it('compares in constant time over digests, any length', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('', '')).toBe(false);
  });
});

describe('parent watch', () => {
  it('polls with a timeout chain and fires once when the PID is gone', () => {
    const timers: Array<() => void> = [];
    let alive = true;
    const onGone = vi.fn();
    watchParent(42, onGone, { isAlive: () => alive, setTimer: (fn) => timers.push(fn), clearTimer: () => {} });
    expect(timers).toHaveLength(1);
    timers.shift()!();
    expect(timers).toHaveLength(1);
    alive = false;
    timers.shift()!();
    expect(onGone).toHaveBeenCalledTimes(1);
    expect(timers).toHaveLength(0);
  });

  it('stops when told to', () => {
    const timers: Array<() => void> = [];
    const onGone = vi.fn();
    const stop = watchParent(42, onGone, {
      isAlive: () => false,
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => {},
    });
    stop();
    timers.shift()!();
    expect(onGone).not.toHaveBeenCalled();
  });

  it('serve exits 0 when the parent PID is gone', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const t = io(tmpEnv(CREDS), new AbortController().signal);
      // a PID far above pid_max is never alive
      const done = main(['serve', '--port', String(await freePort()), '--parent-pid', '999999999'], t.io);
      await vi.waitFor(() => expect(t.out.join('')).toContain('Dock URL:'), { timeout: 5_000, interval: 10 });
      await vi.advanceTimersByTimeAsync(1_100);
      expect(await done).toBe(0);
      expect(t.err.join('')).toContain('Parent process 999999999 is gone');
    } finally {
      vi.useRealTimers();
    }
  });
});
