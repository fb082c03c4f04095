/**
 * Is a real OBS here, and which: `obs`/xvfb-run on PATH, describeObsSkip (skip without OBS, fail under CI),
 * `obs --version`, and the launch arguments for that version. Re-exported by obs-rig.ts.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

/** Is `obs` an executable on PATH? */
export function obsAvailable(): boolean {
  return ['obs', 'xvfb-run'].every((bin) =>
    (process.env.PATH ?? '').split(delimiter).some((dir) => {
      try {
        accessSync(join(dir, bin), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}

/**
 * `describe` for suites that need OBS. Without OBS the suite is skipped with a printed reason; with `CI` set
 * a missing OBS is a failure, so CI can never go green by skipping.
 */
export function describeObsSkip(name: string, fn: () => void): void {
  if (obsAvailable()) {
    describe(name, fn);
    return;
  }
  const why = 'OBS Studio ("obs") or xvfb-run is not on PATH (apt-get install obs-studio xvfb xauth)';
  if (isCi()) {
    describe(name, () => {
      it('needs OBS Studio', () => {
        throw new Error(`${why}; CI is set, so this suite fails instead of skipping`);
      });
    });
    return;
  }
  console.warn(`[obs-rig] skipping "${name}": ${why}`);
  describe.skip(name, fn);
}

/** CI is set to anything but '', 'false' or '0'. */
function isCi(): boolean {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

let cachedVersion: number[] | undefined;
/** Parses `obs --version` ("OBS Studio - 29.0.2.1-1+b1 (linux)"). */
export function obsVersion(): number[] {
  if (!cachedVersion) {
    const text = execFileSync('obs', ['--version'], { encoding: 'utf8', timeout: 10_000 });
    const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
    cachedVersion = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  }
  return cachedVersion;
}

/**
 * OBS's arguments for a version. `--disable-shutdown-check` exists only in OBS 30.0-31.1 (29 ignores unknown
 * flags silently, so passing it there only misleads). `--multi`: several engineers run their own OBS at once;
 * it skips OBS's "already running" check instead of risking a modal prompt.
 */
export function obsArgs(version: readonly number[]): string[] {
  const [major = 0, minor = 0] = version;
  const args = ['--minimize-to-tray', '--multi'];
  if (major === 30 || (major === 31 && minor <= 1)) args.push('--disable-shutdown-check');
  return args;
}
