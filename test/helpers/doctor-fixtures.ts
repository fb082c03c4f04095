/**
 * Fixtures shared by the doctor unit tests: an installed OBS 29 folder with every check passing by default, a fake
 * network, cleanup.
 */
import { type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { runChecks } from '../../script/doctor/doctor.js';
import type { CheckLine, DoctorDeps } from '../../script/doctor/checks.js';
import type { ObsProbe } from '../../script/doctor/obs-probe.js';
import { detectObsLayout } from '../../script/install/obs-layout.js';
import { install } from '../../script/install/install.js';
import { readObsWebsocket } from '../../script/obs-config.js';
import { staticCredentials } from '../../script/cloud/credentials.js';
import { makeObsConfig, type Fixture } from './install-fixtures.js';

export const TOKEN = 'k'.repeat(43);
export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
export const fixtures: Fixture[] = [];
export const servers: Server[] = [];
/** afterEach: remove the fixtures' folders and close the servers a test started. */
export async function cleanupDoctorFixtures(): Promise<void> {
  for (const f of fixtures.splice(0)) rmSync(f.root, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
}

export const refused = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export interface FakeNet {
  endpoint?: () => Response | Error;
  helper?: () => Response | Error;
}

export function fakeFetch(net: FakeNet): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input);
    const pick = url.startsWith('http://127.0.0.1:') ? net.helper : net.endpoint;
    const r = pick ? pick() : refused();
    if (r instanceof Error) throw r;
    return r;
  }) as typeof fetch;
}

/** An OBS 29 folder with artc-ingest installed (websocket on) and every check passing by default. */
export function deps(over: Partial<DoctorDeps> & { net?: FakeNet; installed?: boolean } = {}): {
  d: DoctorDeps;
  f: Fixture;
} {
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

export async function lineOf(d: DoctorDeps, name: string): Promise<CheckLine> {
  const l = (await runChecks(d)).find((x) => x.name === name);
  if (!l) throw new Error(`no line ${name}`);
  return l;
}
