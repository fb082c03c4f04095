/**
 * --metrics-listen parsing (loopback as is, other hosts only as typed + a warning, bad values exit 2 naming the
 * flag), the artc_ingest_* exposition from snapshots (counters advance by delta, stay monotonic), and /healthz's
 * status codes on a fake clock (503 once off air longer than the grace, 200 again when live).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../script/cli/index.js';
import { UsageError } from '../../script/cli/command.js';
import { healthz } from '../../script/metrics/healthz.js';
import { parseMetricsListen } from '../../script/metrics/listen-flag.js';
import { startMetricsListener } from '../../script/metrics/listener.js';
import { createMetrics, outcomeLabel } from '../../script/metrics/registry.js';
import type { Snapshot } from '../../shared/supervisor/index.js';
import { snap, STREAM_KEY, T0 } from '../helpers/monitoring-fixtures.js';

function cliIo() {
  const err: string[] = [];
  const root = mkdtempSync(join(tmpdir(), 'artc-metrics-'));
  return {
    err,
    io: {
      stdout: () => undefined,
      stderr: (t: string) => void err.push(t),
      env: { HOME: root, ARTC_INGEST_HOME: join(root, 'c'), OBS_CONFIG_DIR: join(root, 'obs') },
    },
  };
}
const CH = ['--app-id', 'a', '--channel-id', 'c', '--user-id', 'u', '--display-name', 'd'];

describe('--metrics-listen', () => {
  it('takes loopback as is, without a warning', () => {
    expect(parseMetricsListen('127.0.0.1:9464')).toEqual({
      bind: '127.0.0.1',
      port: 9464,
      url: 'http://127.0.0.1:9464',
    });
    expect(parseMetricsListen('localhost:9464')?.bind).toBe('127.0.0.1');
    expect(parseMetricsListen('[::1]:9464')).toEqual({ bind: '::1', port: 9464, url: 'http://[::1]:9464' });
    expect(parseMetricsListen(undefined)).toBeUndefined();
  });

  it('binds another host exactly as typed, and warns', () => {
    const w = parseMetricsListen('0.0.0.0:9464')!;
    expect(w.bind).toBe('0.0.0.0');
    expect(w.port).toBe(9464);
    expect(w.warning).toMatch(/--metrics-listen 0\.0\.0\.0:9464 is not a loopback address.*reachable from the network/);
    expect(parseMetricsListen('192.168.1.20:9464')!.bind).toBe('192.168.1.20');
    expect(parseMetricsListen('[::]:9464')!.bind).toBe('::');
  });

  it.each([
    'evil:99999',
    '9464',
    ':9464',
    '127.0.0.1:',
    '127.0.0.1:0',
    'a b:1',
    'http://127.0.0.1:9464',
    '127.0.0.1:9464x',
  ])('rejects %s naming the flag', (raw) => {
    expect(() => parseMetricsListen(raw)).toThrow(UsageError);
    expect(() => parseMetricsListen(raw)).toThrow(/^--metrics-listen: /);
  });

  it('run and serve exit 2 on evil:99999 naming the flag, before starting anything', async () => {
    for (const args of [
      ['run', '--sandbox', ...CH, '--metrics-listen', 'evil:99999'],
      ['serve', '--sandbox', '--metrics-listen', 'evil:99999'],
    ]) {
      const { err, io } = cliIo();
      expect(await main(args, io)).toBe(2);
      expect(err.join('')).toMatch(
        /--metrics-listen: the port must be a whole number from 1 to 65535, got "evil:99999"/,
      );
    }
  });

  it('run rejects bad monitoring flags with exit 2 naming each', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--health-grace', 'soon'], /--health-grace:/],
      [['--alert-after=-1'], /--alert-after:/],
      [['--alert-webhook', 'ftp://x/y'], /--alert-webhook:/],
      [['--alert-webhook', 'http://127.0.0.1:1/h', '--alert-format', 'teams'], /--alert-format:/],
    ];
    for (const [extra, re] of cases) {
      const { err, io } = cliIo();
      expect(await main(['run', '--sandbox', ...CH, ...extra], io)).toBe(2);
      expect(err.join('')).toMatch(re);
    }
  });
});

describe('artc_ingest_* metrics', () => {
  function setup(initial: Snapshot | null) {
    let current = initial;
    const m = createMetrics({
      version: '1.2.3',
      defaultMetrics: false,
      source: {
        snapshot: () => current,
        channel: () => current?.channel ?? null,
        obsOutput: async () => ({
          active: true,
          bytes: 12345,
          droppedFrames: 3,
          totalFrames: 900,
          congestion: 0.25,
          skippedFrames: 7,
        }),
      },
    });
    return { m, set: (s: Snapshot) => (current = s) };
  }
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' '));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('exposes the state, live, presence, OBS and URL figures of the snapshot', async () => {
    const { m } = setup(snap());
    const t = await m.render();
    expect(value(t, 'artc_ingest_info{version="1.2.3",app_id="demoApp",channel_id="room-1",user_id="obs-1"}')).toBe(1);
    expect(value(t, 'artc_ingest_supervisor_state{state="live"}')).toBe(1);
    expect(value(t, 'artc_ingest_supervisor_state{state="recovering"}')).toBe(0);
    expect(t.match(/^artc_ingest_supervisor_state\{/gm)).toHaveLength(11);
    expect(value(t, 'artc_ingest_live')).toBe(1);
    expect(value(t, 'artc_ingest_publisher_present')).toBe(1);
    expect(value(t, 'artc_ingest_obs_connected')).toBe(1);
    expect(value(t, 'artc_ingest_url_expiry_timestamp_seconds')).toBe((T0 + 3_600_000) / 1000);
    expect(value(t, 'artc_ingest_obs_output_bytes')).toBe(12345);
    expect(value(t, 'artc_ingest_obs_output_dropped_frames')).toBe(3);
    expect(value(t, 'artc_ingest_obs_output_skipped_frames')).toBe(7);
    expect(value(t, 'artc_ingest_obs_output_congestion_ratio')).toBe(0.25);
    expect(value(t, 'artc_ingest_recoveries_total{reason="publisher-absent"}')).toBe(0);
    expect(t).toContain('# TYPE artc_ingest_recoveries_total counter');
    expect(t).not.toContain(STREAM_KEY.split('=')[1]);
  });

  it("advances the counters by the log's totals and never lets them go down", async () => {
    const { m, set } = setup(snap());
    set(
      snap({
        kind: 'recovering',
        counters: {
          recoveries: 2,
          recoveriesByReason: { 'obs-stopped': 1, 'publisher-absent': 1 },
          offAirMs: 4_500,
          lastRecoveryAt: T0,
        },
      }),
    );
    let t = await m.render();
    expect(value(t, 'artc_ingest_recoveries_total{reason="obs-stopped"}')).toBe(1);
    expect(value(t, 'artc_ingest_off_air_seconds_total')).toBe(4.5);
    expect(value(t, 'artc_ingest_live')).toBe(0);
    // a lower total (a new runner's log) must not decrease a counter
    set(snap({ counters: { recoveries: 0, recoveriesByReason: {}, offAirMs: 0, lastRecoveryAt: null } }));
    t = await m.render();
    expect(value(t, 'artc_ingest_recoveries_total{reason="obs-stopped"}')).toBe(1);
    expect(value(t, 'artc_ingest_off_air_seconds_total')).toBe(4.5);
    m.countApi('DescribeChannelParticipants', 'ok');
    m.countApi('CreateRoomRealTimeStreamAddress', 'Throttling.User');
    m.countApi('CreateRoomRealTimeStreamAddress', 'bad "code"\n');
    t = await m.render();
    expect(
      value(t, 'artc_ingest_api_requests_total{action="CreateRoomRealTimeStreamAddress",outcome="Throttling.User"}'),
    ).toBe(1);
    expect(outcomeLabel('bad "code"\n')).toBe('bad__code__');
  });

  it.skipIf(!existsSync('/usr/bin/promtool'))('passes promtool check metrics (artc_ingest_* families)', async () => {
    const { m } = setup(
      snap({
        counters: { recoveries: 1, recoveriesByReason: { 'obs-stopped': 1 }, offAirMs: 1000, lastRecoveryAt: T0 },
      }),
    );
    m.countApi('DescribeChannelParticipants', 'ok');
    const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], {
      input: await m.render(),
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('serves only /metrics and /healthz on loopback', async () => {
    const { m } = setup(snap());
    const l = await startMetricsListener({
      at: { bind: '127.0.0.1', port: 0, url: 'http://127.0.0.1:0' },
      metrics: m,
      snapshot: () => snap(),
      graceMs: 30_000,
    });
    try {
      const base = `http://127.0.0.1:${l.port}`;
      const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) });
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await res.text()).toContain('artc_ingest_live 1');
      expect((await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
      expect((await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5_000) })).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST', signal: AbortSignal.timeout(5_000) })).status).toBe(405);
    } finally {
      await l.close();
    }
  });
});

describe('/healthz', () => {
  const GRACE = 30_000;
  it('is 200 live, 200 within the grace, 503 past it, 200 again after recovery', () => {
    expect(healthz(snap(), T0, GRACE)).toEqual({
      code: 200,
      body: { status: 'live', state: 'live', offAirSeconds: 0 },
    });
    const down = snap({ kind: 'recovering', since: T0 + 2_000, offAirSince: T0 });
    expect(healthz(down, T0 + 29_000, GRACE)).toEqual({
      code: 200,
      body: { status: 'recovering', state: 'recovering', offAirSeconds: 29 },
    });
    expect(healthz(down, T0 + 31_000, GRACE)).toEqual({
      code: 503,
      body: { status: 'off-air', state: 'recovering', offAirSeconds: 31 },
    });
    expect(healthz(snap({ since: T0 + 40_000 }), T0 + 41_000, GRACE).code).toBe(200);
  });

  it("is 200 when not supervising by the user's choice, 503 when supervision failed", () => {
    expect(healthz(snap({ kind: 'stopped-by-user', locked: false }), T0, GRACE).body.status).toBe('not-supervising');
    expect(healthz(snap({ kind: 'idle', locked: false }), T0, GRACE).code).toBe(200);
    const failed = snap({
      kind: 'failed',
      locked: false,
      lastError: { code: 'InvalidAccessKeyId.NotFound', message: 'x', retryable: false } as Snapshot['lastError'],
    });
    expect(healthz(failed, T0, GRACE)).toMatchObject({ code: 503, body: { status: 'failed', state: 'failed' } });
  });

  it("counts a start that never went live as off air from the state's start", () => {
    const s = snap({ kind: 'confirming', since: T0, offAirSince: null });
    expect(healthz(s, T0 + 31_000, GRACE).code).toBe(503);
  });
});
