/**
 * `run --sandbox` + SIGTERM with real OBS 29: `run` must exit 0, remove sandbox.json and stop OBS's stream.
 * node-media-server (the sandbox's RTMP ingest) would re-raise the signal from its own listener and kill `run`
 * mid-shutdown (exit 143); script/sandbox/ingest.ts turns its signal hooks off, and startSandboxCloud() holds the
 * signal as a second guard. This test checks the clean exit, not which of the two guards gave it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObsClient } from '../../shared/obs-client.js';
import { describeObsSkip, type ObsHandle } from '../helpers/obs-rig.js';
import { startObsWithUser } from '../helpers/obs-user.js';
import { cleanEnv } from '../helpers/cli.js';
import { jsonLine, spawnCli, type Spawned } from '../helpers/spawned.js';
import { waitFor } from '../helpers/wait-for.js';

describeObsSkip('run --sandbox and SIGTERM', () => {
  let obs: ObsHandle;
  let home: string;
  let run: Spawned | undefined;
  let user: ObsClient;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'artc-run-term-'));
    ({ obs, user } = await startObsWithUser());
  }, 60_000);

  afterAll(async () => {
    await run?.stop('SIGKILL');
    await user?.disconnect();
    await obs?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('exits 0, removes sandbox.json and stops the stream', async () => {
    const env = cleanEnv(home);
    const channel = [
      '--app-id',
      'demoApp',
      '--channel-id',
      'room-term',
      '--user-id',
      'obs-term',
      '--display-name',
      'Term',
    ];
    const obsFlags = ['--obs-url', obs.url, '--obs-password', obs.password];
    run = spawnCli(['run', '--sandbox', '--json', ...channel, ...obsFlags, '--poll-interval', '1'], env);
    await run.waitForLine(
      jsonLine<{ state: string }>((o) => o.state === 'live'),
      'state live',
      30_000,
    );
    const announced = join(env.ARTC_INGEST_HOME!, 'sandbox.json');
    expect(existsSync(announced)).toBe(true);

    const code = await run.stop('SIGTERM', 15_000);
    const stderr = run.stderr();
    run = undefined;
    expect(code, stderr).toBe(0);
    expect(existsSync(announced)).toBe(false);
    // with --sandbox the ingest ends with the process, so `run` stopped OBS's stream on the way out
    const inactive = async () => !((await user.call('GetStreamStatus')) as { outputActive: boolean }).outputActive;
    await waitFor(inactive, { what: 'OBS output inactive', timeoutMs: 5_000 });
  }, 90_000);
});
