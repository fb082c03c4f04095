/**
 * `run --sandbox` against real OBS 29: goes live, the publisher is in the channel, a kick is recovered with a
 * fresh URL, and the user's Stop in OBS ends supervision (never fought). `--json` lines carry state/at/reason.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObsClient } from '../../shared/obs-client.js';
import { describeObsSkip, type ObsHandle } from '../helpers/obs-rig.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { jsonLine, spawnCli, type Spawned } from '../helpers/spawned.js';
import { startObsWithUser } from '../helpers/obs-user.js';
import { waitFor } from '../helpers/wait-for.js';

type Line = { state: string; at: string; reason?: string; recovery?: string; level?: string };

describeObsSkip('run --sandbox with real OBS', () => {
  let obs: ObsHandle;
  let home: string;
  let run: Spawned | undefined;
  let user: ObsClient;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'artc-run-'));
    // OBS's own reconnect off: every recovery here is the supervisor's
    ({ obs, user } = await startObsWithUser());
  }, 60_000);

  afterAll(async () => {
    await run?.stop('SIGKILL');
    await user?.disconnect();
    await obs?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('goes live, recovers a kick with a new URL, and ends when the user stops in OBS', async () => {
    const env = cleanEnv(home);
    const args = [
      'run',
      '--sandbox',
      '--json',
      '--app-id',
      'demoApp',
      '--channel-id',
      'room-1',
      '--user-id',
      'obs-run',
      '--display-name',
      'Run test',
      '--obs-url',
      obs.url,
      '--obs-password',
      obs.password,
      '--poll-interval',
      '1',
    ];
    run = spawnCli(args, env);
    const live = await run.waitForLine(
      jsonLine<Line>((o) => o.state === 'live'),
      'state live',
      30_000,
    );
    expect(Number.isNaN(Date.parse(live.at))).toBe(false);
    expect(live.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    for (const line of run.lines) {
      const o = JSON.parse(line) as Line;
      expect(typeof o.state).toBe('string');
      expect(typeof o.at).toBe('string');
    }

    // the sandbox `run` hosts is announced like serve's: another process lists the publisher
    const listed = await runCli(
      ['participants', '--sandbox', '--app-id', 'demoApp', '--channel-id', 'room-1', '--json'],
      env,
    );
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).users).toContain('obs-run');

    // kick the publisher through the sandbox's control API
    const state = JSON.parse(readFileSync(join(env.ARTC_INGEST_HOME!, 'sandbox.json'), 'utf8')) as {
      endpoint: string;
      controlToken: string;
    };
    const before = run.lines.length;
    const res = await fetch(`${state.endpoint}/_sandbox/fault`, {
      method: 'POST',
      headers: { authorization: `Bearer ${state.controlToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'kick', appId: 'demoApp', channelId: 'room-1', userId: 'obs-run' }),
    });
    expect(res.status).toBe(200);
    const detected = await run.waitForLine(
      jsonLine<Line>((o) => o.recovery !== undefined),
      'a recovery',
      20_000,
    );
    expect(['obs-stopped', 'obs-reconnecting', 'publisher-absent']).toContain(detected.recovery);
    await run.waitForLine(
      (l) => run!.lines.indexOf(l) > before && jsonLine<Line>((o) => o.state === 'live')(l),
      'live again',
      30_000,
    );

    // the user's own Stop in OBS ends supervision: `run` exits 0 and does not restart the stream
    const stopAt = new Date().toISOString();
    await user.call('StopStream');
    await run.waitForLine(
      jsonLine<Line>((o) => o.state === 'stopped-by-user'),
      'stopped-by-user',
      15_000,
    );
    expect(await run.exited).toBe(0);
    // libobs clears `active` on its own thread, which can lag the STOPPED event: poll, with a deadline
    await waitFor(async () => !((await user.call('GetStreamStatus')) as { outputActive: boolean }).outputActive, {
      what: 'OBS output inactive',
      timeoutMs: 5_000,
    });
    // and it stays so: nothing restarted the stream after the user's Stop
    expect(
      run.lines.some(
        (l) => l.includes('"state":"starting"') && Date.parse((JSON.parse(l) as Line).at) > Date.parse(stopAt),
      ),
    ).toBe(false);
    if (process.env.ARTC_TEST_VERBOSE) console.log(run.lines.join('\n'), run.stderr());
    run = undefined;
  }, 120_000);

  it('rejects bad flags with exit 2 before touching OBS', async () => {
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
        '--poll-interval',
        'soon',
      ],
      cleanEnv(home),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--poll-interval');
  });
});
