/**
 * Fixtures shared by the install unit tests: a tracked OBS config folder per test, install and uninstall options that
 * capture output.
 */
import { rmSync } from 'node:fs';
import { type InstallOptions } from '../../script/install/install.js';
import type { RunningObs } from '../../script/install/obs-running.js';
import { makeObsConfig, type Fixture, type ObsGen } from './install-fixtures.js';

export const TOKEN = 'T'.repeat(43);
export const fixtures: Fixture[] = [];
/** afterEach: remove the folders setup() made. */
export function cleanupInstallFixtures(): void {
  for (const f of fixtures.splice(0)) rmSync(f.root, { recursive: true, force: true });
}

export function setup(gen: ObsGen): Fixture {
  const f = makeObsConfig(gen);
  fixtures.push(f);
  return f;
}

export function opts(f: Fixture, over: Partial<InstallOptions> = {}) {
  let out = '';
  const o: InstallOptions = {
    obsConfigDir: f.obsDir,
    helperDir: f.helperDir,
    port: 4466,
    sandbox: false,
    nodePath: '/usr/bin/node',
    helperPath: '/opt/artc/dist/artc-ingest.mjs',
    scriptPath: '/opt/artc/dist/artc-ingest.lua',
    enableWebsocket: true,
    dryRun: false,
    findRunningObs: () => [],
    out: (t) => (out += t),
    now: () => Date.UTC(2025, 0, 2),
    newPassword: () => 'GeneratedPassword123',
    newUuid: () => '{00000000-0000-4000-8000-000000000001}',
    loadToken: () => TOKEN,
    ...over,
  };
  return { o, out: () => out };
}

export const uopts = (f: Fixture, over: { dryRun?: boolean; findRunningObs?: () => RunningObs[] } = {}) => {
  let out = '';
  return {
    o: {
      obsConfigDir: f.obsDir,
      helperDir: f.helperDir,
      dryRun: false,
      findRunningObs: () => [] as RunningObs[],
      out: (t: string) => (out += t),
      ...over,
    },
    out: () => out,
  };
};
