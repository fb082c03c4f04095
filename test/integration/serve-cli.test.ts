/**
 * `serve` as users run it: the built dist/artc-ingest.mjs in a child process, a temp config folder and a
 * HOME with no credentials. Reads the printed dock URL, calls the API with the token, stops it with SIGTERM.
 * Needs `npm run build` first (the `test` script does it).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN_HEADER } from '../../shared/api-routes.js';
import { CLI, cleanEnv } from '../helpers/cli.js';
import { busyPort, freePort } from '../helpers/ports.js';
import { spawnCli, type Spawned } from '../helpers/spawned.js';

const HAS_SANDBOX = existsSync(join(import.meta.dirname, '..', '..', 'script', 'sandbox', 'index.ts'));
const children: ChildProcess[] = [];

/** A clean environment (no ALIBABA_CLOUD_* from the developer's shell) in a fresh temp folder, an empty HOME. */
function tempEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const root = mkdtempSync(join(tmpdir(), 'artc-serve-cli-'));
  return cleanEnv(join(root, 'home'), { OBS_CONFIG_DIR: join(root, 'obs'), ...extra });
}

/** The built CLI, killed after each case if still running. */
function run(args: string[], env: NodeJS.ProcessEnv): Spawned {
  const s = spawnCli(args, env);
  children.push(s.child);
  return s;
}

async function dockUrl(r: Spawned, ms = 15_000): Promise<{ url: string; origin: string; token: string }> {
  const end = Date.now() + ms;
  for (;;) {
    const m = r.stdout().match(/Dock URL: (http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+)/);
    if (m) return { url: `${m[1]}/?token=${m[2]}`, origin: m[1]!, token: m[2]! };
    if (r.child.exitCode !== null || Date.now() > end)
      throw new Error(`no dock URL; stdout: ${r.stdout()} stderr: ${r.stderr()}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('serve (built CLI)', () => {
  it.skipIf(!existsSync(CLI))(
    'with credentials: prints the dock URL, answers /api/health with the token, exits 0 on SIGTERM',
    async () => {
      const port = await freePort();
      const r = run(
        ['serve', '--port', String(port)],
        tempEnv({
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIexample',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'example-secret-value',
        }),
      );
      const { origin, token } = await dockUrl(r);
      expect(origin).toBe(`http://127.0.0.1:${port}`);
      const health = await fetch(`${origin}/api/health`, { headers: { [TOKEN_HEADER]: token } });
      expect(await health.json()).toMatchObject({
        ok: true,
        mode: 'cloud',
        credentialSource: 'AK via environment (ALIBABA_CLOUD_ACCESS_KEY_ID)',
      });
      expect((await fetch(`${origin}/api/health`)).status).toBe(401);
      const page = await fetch(`${origin}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
      expect(r.stdout() + r.stderr()).not.toContain('example-secret-value');
    },
  );

  it.skipIf(!existsSync(CLI))('a busy port exits 1 with a clear message', async () => {
    const blocker = await busyPort();
    const port = blocker.port;
    try {
      const r = run(
        ['serve', '--port', String(port)],
        tempEnv({
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIexample',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'example-secret-value',
        }),
      );
      expect(await r.exited).toBe(1);
      expect(r.stderr()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it.skipIf(!existsSync(CLI))('a bad --port exits 2', async () => {
    const r = run(['serve', '--port', '70000'], tempEnv());
    expect(await r.exited).toBe(2);
    expect(r.stderr()).toContain('--port');
  });

  it.skipIf(!existsSync(CLI) || !HAS_SANDBOX)(
    'without credentials: falls back to the sandbox, which `url --sandbox` finds; exits 0 on SIGTERM',
    async () => {
      const env = tempEnv();
      const port = await freePort();
      const r = run(['serve', '--port', String(port)], env);
      const { origin, token } = await dockUrl(r);
      expect(r.stderr()).toContain('No Alibaba Cloud AccessKey found');
      const health = await (await fetch(`${origin}/api/health`, { headers: { [TOKEN_HEADER]: token } })).json();
      expect(health).toMatchObject({ ok: true, mode: 'sandbox', credentialSource: 'sandbox' });
      expect(existsSync(join(env.ARTC_INGEST_HOME!, 'sandbox.json'))).toBe(true);

      const minted = await fetch(`${origin}/api/ingest-url`, {
        method: 'POST',
        headers: { [TOKEN_HEADER]: token, 'content-type': 'application/json' },
        body: JSON.stringify({ appId: 'demo', channelId: 'room1', userId: 'obs-1', displayName: 'Demo' }),
      });
      expect(minted.status).toBe(200);
      expect(await minted.json()).toMatchObject({ server: expect.stringMatching(/^rtmp:\/\/127\.0\.0\.1:\d+\//) });

      const url = run(
        [
          'url',
          '--sandbox',
          '--app-id',
          'demo',
          '--channel-id',
          'room1',
          '--user-id',
          'obs-2',
          '--display-name',
          'Other',
          '--json',
        ],
        env,
      );
      expect(await url.exited).toBe(0);
      expect(JSON.parse(url.stdout())).toMatchObject({ server: expect.stringMatching(/^rtmp:\/\/127\.0\.0\.1/) });

      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
      expect(existsSync(join(env.ARTC_INGEST_HOME!, 'sandbox.json'))).toBe(false);
    },
  );
});
