/**
 * The helper assembly in sandbox mode with a fake sandbox: sandbox.json written 0600 and removed on stop.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { TOKEN_HEADER } from '../../shared/api-routes.js';
import { readSandboxState } from '../../script/cloud/cloud.js';
import { startHelper } from '../../script/server/helper.js';
import { faultInjector, type SandboxHandle } from '../../script/server/sandbox-loader.js';
import { busyPort, freePort } from '../helpers/ports.js';
import { CREDS, tmpEnv } from '../helpers/serve-fixtures.js';

function fakeSandbox(): SandboxHandle & { stop: ReturnType<typeof vi.fn>; inject: ReturnType<typeof vi.fn> } {
  const inject = vi.fn(() => ({ ok: true }));
  // only what the helper touches; the real handle has more (emulator, apiPort, stats fields)
  return {
    endpoint: 'http://127.0.0.1:4467',
    rtmpPort: 19350,
    credentials: { accessKeyId: 'sandbox-id', accessKeySecret: 'sandbox-secret-value' },
    controlToken: 'control-token-value',
    faults: { apply: inject },
    inject,
    stats: () => ({}),
    stop: vi.fn(async () => undefined),
  } as unknown as SandboxHandle & { stop: ReturnType<typeof vi.fn>; inject: ReturnType<typeof vi.fn> };
}

describe('startHelper in sandbox mode', () => {
  it('falls back to the sandbox without credentials, announces it in sandbox.json (0600) and removes it on stop', async () => {
    const env = tmpEnv();
    const sb = fakeSandbox();
    const logs: string[] = [];
    const helper = await startHelper({
      host: '127.0.0.1',
      port: await freePort(),
      env,
      sandbox: false,
      log: (l) => logs.push(l),
      startSandbox: async () => sb,
    });
    try {
      expect(helper.mode).toBe('sandbox');
      expect(helper.fellBack).toBe(true);
      expect(helper.looked.length).toBeGreaterThan(0);
      const path = join(env.ARTC_INGEST_HOME!, 'sandbox.json');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readSandboxState(env)).toMatchObject({
        pid: process.pid,
        endpoint: 'http://127.0.0.1:4467',
        rtmpPort: 19350,
        accessKeyId: 'sandbox-id',
        accessKeySecret: 'sandbox-secret-value',
        controlToken: 'control-token-value',
        helperUrl: helper.url,
      });
      const token = helper.dockUrl.split('token=')[1]!;
      const res = await fetch(`${helper.url}/api/sandbox/fault`, {
        method: 'POST',
        headers: { [TOKEN_HEADER]: token, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'shift-clock', seconds: 60 }),
      });
      expect(await res.json()).toEqual({ ok: true });
      expect(sb.inject).toHaveBeenCalledWith({ kind: 'shift-clock', seconds: 60 });
      const health = await (await fetch(`${helper.url}/api/health`, { headers: { [TOKEN_HEADER]: token } })).json();
      expect(health).toMatchObject({ mode: 'sandbox', endpoint: 'http://127.0.0.1:4467', credentialSource: 'sandbox' });
    } finally {
      await helper.stop();
    }
    expect(existsSync(join(env.ARTC_INGEST_HOME!, 'sandbox.json'))).toBe(false);
    expect(sb.stop).toHaveBeenCalledTimes(1);
  });

  it('--sandbox uses the sandbox even with credentials; not a fallback', async () => {
    const sb = fakeSandbox();
    const helper = await startHelper({
      host: '127.0.0.1',
      port: await freePort(),
      env: tmpEnv(CREDS),
      sandbox: true,
      log: () => {},
      startSandbox: async () => sb,
    });
    expect(helper.mode).toBe('sandbox');
    expect(helper.fellBack).toBe(false);
    await helper.stop();
  });

  it('stops the sandbox when the port is busy', async () => {
    const blocker = await busyPort();
    const sb = fakeSandbox();
    const env = tmpEnv();
    await expect(
      startHelper({
        host: '127.0.0.1',
        port: blocker.port,
        env,
        sandbox: true,
        log: () => {},
        startSandbox: async () => sb,
      }),
    ).rejects.toThrow(/already in use/);
    expect(sb.stop).toHaveBeenCalled();
    expect(existsSync(join(env.ARTC_INGEST_HOME!, 'sandbox.json'))).toBe(false);
    blocker.close();
  });

  it("faultInjector hands the dock's fault requests to the sandbox's faults.apply", async () => {
    const apply = vi.fn();
    await faultInjector({ apply } as unknown as Parameters<typeof faultInjector>[0])({
      kind: 'shift-clock',
      seconds: 1,
    });
    expect(apply).toHaveBeenCalledWith({ kind: 'shift-clock', seconds: 1 });
  });
});
