/** doctor: the OBS config, obs-websocket, OBS connection, dock and script, and helper-port checks. */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatLine, runChecks } from '../../script/doctor/doctor.js';
import type { ObsProbe } from '../../script/doctor/obs-probe.js';
import { main } from '../../script/cli/index.js';
import { makeObsConfig } from '../helpers/install-fixtures.js';
import { cleanupDoctorFixtures, deps, fixtures, json, lineOf, refused, servers } from '../helpers/doctor-fixtures.js';

afterEach(cleanupDoctorFixtures);

describe('doctor', () => {
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
