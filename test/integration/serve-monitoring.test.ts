/**
 * `serve --sandbox --metrics-listen` as a user runs it: the dock's alert settings through the helper's API
 * (stored 0600, the secret never sent back), "Send test alert" reaching a local receiver, and what serve derives
 * from the dock's traffic: an intent that says live while the participants answer lacks the publisher turns
 * /healthz 503 past the grace and sends off-air to the stored webhook. The run-only families are not exposed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN_HEADER } from '../../shared/api-routes.js';
import { startReceiver, type Receiver } from '../helpers/alert-receiver.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { busyPort, freePort } from '../helpers/ports.js';
import { spawnCli, type Spawned } from '../helpers/spawned.js';
import { waitFor } from '../helpers/wait-for.js';

describe("serve --metrics-listen and the dock's alert settings", () => {
  let home: string;
  let serve: Spawned | undefined;
  let rx: Receiver;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'artc-serve-mon-'));
    rx = await startReceiver('ok');
  });
  afterAll(async () => {
    await serve?.stop();
    await rx?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("stores alert settings, sends a test alert, and reports off air from the dock's traffic", async () => {
    const [port, mport] = [await freePort(), await freePort()];
    const env = cleanEnv(home);
    serve = spawnCli(
      [
        'serve',
        '--sandbox',
        '--port',
        String(port),
        '--metrics-listen',
        `127.0.0.1:${mport}`,
        '--health-grace',
        '0.1',
        '--alert-after',
        '0.1',
      ],
      env,
    );
    const dock = await serve.waitForLine(
      (l) => l.match(/Dock URL: (http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+)/) ?? undefined,
      'the dock URL',
      30_000,
    );
    const [, base, token] = dock;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { [TOKEN_HEADER]: token!, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await call('GET', '/api/alerts')).toEqual({
      status: 200,
      body: { webhookUrl: '', format: 'auto', hasSecret: false },
    });
    const put = await call('PUT', '/api/alerts', {
      webhookUrl: `${rx.url}/hook?access_token=ROBOT`,
      format: 'json',
      secret: 'SECsecret-value',
    });
    expect(put.body).toEqual({ webhookUrl: `${rx.url}/hook?access_token=ROBOT`, format: 'json', hasSecret: true });
    const file = join(env.ARTC_INGEST_HOME!, 'alerts.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('SECsecret-value');
    expect(JSON.stringify((await call('GET', '/api/alerts')).body)).not.toContain('SECsecret-value');
    expect((await call('PUT', '/api/alerts', { webhookUrl: 'ftp://x', format: 'json' })).status).toBe(400);

    const test = await call('POST', '/api/alerts/test');
    expect(test.body).toEqual({ results: [{ target: `json ${rx.url}`, ok: true, detail: 'delivered' }] });
    expect(JSON.parse(rx.received[0]!.body)).toMatchObject({ event: 'test', reason: 'test' });

    // the dock says "should be live" and its presence poll finds nobody: off air
    const channel = { appId: 'demoApp', channelId: 'room-serve', userId: 'obs-serve', displayName: 'Serve test' };
    expect((await call('PUT', '/api/intent', { shouldBeLive: true, channel, by: 'dock' })).status).toBe(200);
    expect((await call('POST', '/api/participants', { appId: 'demoApp', channelId: 'room-serve' })).body.users).toEqual(
      [],
    );
    const health = await waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${mport}/healthz`, { signal: AbortSignal.timeout(2_000) });
        return r.status === 503 && ((await r.json()) as { status: string });
      },
      { what: '/healthz 503', timeoutMs: 5_000 },
    );
    expect(health.status).toBe('off-air');
    await waitFor(() => rx.received.some((r) => r.body.includes('"off-air"')), {
      what: 'off-air at the stored webhook',
      timeoutMs: 5_000,
    });
    const off = JSON.parse(rx.received.find((r) => r.body.includes('"off-air"'))!.body);
    expect(off).toMatchObject({ appId: 'demoApp', channelId: 'room-serve', userId: 'obs-serve' });
    // 'no-presence-answer' when the 0.1 s delay ran out before the participants answer came (a loaded machine)
    expect(['publisher-absent', 'no-presence-answer']).toContain(off.reason);

    const text = await (
      await fetch(`http://127.0.0.1:${mport}/metrics`, { signal: AbortSignal.timeout(5_000) })
    ).text();
    expect(text).toContain('artc_ingest_supervising 1');
    expect(text).toContain('artc_ingest_live 0');
    expect(text).toContain('artc_ingest_api_requests_total{action="DescribeChannelParticipants",outcome="ok"} 1');
    expect(text).not.toContain('artc_ingest_supervisor_state');
    expect(text + rx.received.map((r) => r.body).join()).not.toContain(token!);
    expect(await serve.stop()).toBe(0);
    serve = undefined;
  }, 60_000);

  it('binds a non-loopback-named host exactly as typed and warns (127.0.0.2: another address, still on this machine)', async () => {
    const [port, mport] = [await freePort(), await freePort()];
    const env = cleanEnv(join(home, 'b'));
    const s = spawnCli(['serve', '--sandbox', '--port', String(port), '--metrics-listen', `127.0.0.2:${mport}`], env);
    try {
      await s.waitForLine((l) => l.startsWith('Dock URL:'), 'the dock URL', 30_000);
      expect(s.stderr()).toContain(
        `warning: --metrics-listen 127.0.0.2:${mport} is not a loopback address: /metrics and /healthz are reachable from the network there`,
      );
      expect((await fetch(`http://127.0.0.2:${mport}/healthz`, { signal: AbortSignal.timeout(2_000) })).status).toBe(
        200,
      );
      // only that address: nothing was widened to a wildcard
      await expect(
        fetch(`http://127.0.0.1:${mport}/healthz`, { signal: AbortSignal.timeout(2_000) }),
      ).rejects.toThrow();
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 60_000);

  it('run: a busy --metrics-listen port fails (exit 1, naming the flag) before supervision starts', async () => {
    const blocker = await busyPort();
    const busy = blocker.port;
    try {
      const r = await runCli(
        [
          'run',
          '--sandbox',
          '--app-id',
          'a',
          '--channel-id',
          'c',
          '--user-id',
          'u',
          '--display-name',
          'd',
          '--obs-url',
          'ws://127.0.0.1:9',
          '--metrics-listen',
          `127.0.0.1:${busy}`,
        ],
        cleanEnv(join(home, 'c')),
        30_000,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--metrics-listen 127.0.0.1:${busy}: that port is already in use`);
      expect(r.stdout + r.stderr).not.toContain('supervising a/c');
    } finally {
      blocker.close();
    }
  }, 40_000);
});
