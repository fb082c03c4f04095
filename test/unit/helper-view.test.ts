/**
 * What `serve` derives from the dock's traffic (fake clock, fake cloud, in-memory intent store): live from the
 * intent plus a participants answer listing the publisher; off air when the answer lacks it or no answer came for
 * the stale time (the dock is gone); API outcomes counted; the run-only families left out of the exposition.
 */
import { describe, expect, it } from 'vitest';
import type { IntentBody, ParticipantsBody } from '../../shared/api-routes.js';
import { healthz } from '../../script/metrics/healthz.js';
import { helperView } from '../../script/metrics/helper-view.js';
import { createMetrics } from '../../script/metrics/registry.js';
import type { CloudApi } from '../../script/server/cloud-api.js';
import type { JsonStore } from '../../script/server/json-store.js';
import { FakeTimers } from '../helpers/monitoring-fixtures.js';

const CH = { appId: 'demoApp', channelId: 'room-1', userId: 'obs-1', displayName: 'Studio' };

function setup() {
  const t = new FakeTimers();
  let users: string[] = [];
  let fail: string | null = null;
  const api: CloudApi = {
    mint: async () => ({
      requestId: 'r',
      rtmpAddress: 'rtmp://h/a/s',
      server: 'rtmp://h/a',
      streamKey: 's',
      expiresAt: new Date(t.time + 3_600_000).toISOString(),
    }),
    participants: async (): Promise<ParticipantsBody> => {
      if (fail) throw Object.assign(new Error('throttled'), { code: fail });
      return { requestId: 'p', users, total: users.length };
    },
  };
  let intent: IntentBody = { shouldBeLive: false };
  const store: JsonStore<IntentBody> = { read: async () => intent, write: async (v) => (intent = v) };
  const view = helperView({ now: t.now, setTimer: t.setTimer, clearTimer: t.clearTimer, staleMs: 30_000 });
  const metrics = createMetrics({
    version: 't',
    defaultMetrics: false,
    source: { snapshot: view.snapshot, channel: view.channel },
    omit: ['state', 'obs', 'url', 'storm', 'recoveries'],
  });
  const wrapped = { api: view.wrapApi(api, metrics), store: view.wrapIntent(store) };
  return {
    t,
    view,
    metrics,
    ...wrapped,
    setUsers: (u: string[]) => (users = u),
    setFail: (c: string | null) => (fail = c),
  };
}

describe("serve: the helper view of the dock's supervisor", () => {
  it('is not supervising until the intent says live; live once the publisher is listed', async () => {
    const s = setup();
    await s.t.flush();
    expect(s.view.snapshot()!.kind).toBe('idle');
    expect(healthz(s.view.snapshot(), s.t.now(), 30_000).body.status).toBe('not-supervising');
    await s.store.write({ shouldBeLive: true, channel: CH });
    s.setUsers(['obs-1']);
    await s.api.participants({ appId: 'demoApp', channelId: 'room-1' });
    expect(s.view.snapshot()).toMatchObject({ kind: 'live', locked: true, presence: { status: 'present' } });
    const text = await s.metrics.render();
    expect(text).toContain('artc_ingest_live 1');
    expect(text).toContain('artc_ingest_info{version="t",app_id="demoApp",channel_id="room-1",user_id="obs-1"} 1');
    expect(text).toContain('artc_ingest_api_requests_total{action="DescribeChannelParticipants",outcome="ok"} 1');
    for (const absent of [
      'artc_ingest_supervisor_state',
      'artc_ingest_obs_connected',
      'artc_ingest_recoveries_total',
      'artc_ingest_url_expiry',
      'artc_ingest_obs_output',
    ])
      expect(text).not.toContain(absent);
  });

  it('counts off air from an answer without the publisher, and 503 past the grace', async () => {
    const s = setup();
    await s.store.write({ shouldBeLive: true, channel: CH });
    s.setUsers(['obs-1']);
    await s.api.participants({ appId: 'demoApp', channelId: 'room-1' });
    await s.t.advance(10_000);
    s.setUsers([]);
    await s.api.participants({ appId: 'demoApp', channelId: 'room-1' });
    expect(s.view.snapshot()).toMatchObject({ kind: 'recovering', reason: 'publisher-absent' });
    await s.t.advance(31_000);
    expect(healthz(s.view.snapshot(), s.t.now(), 30_000)).toMatchObject({ code: 503, body: { status: 'off-air' } });
    s.setUsers(['obs-1']);
    await s.api.participants({ appId: 'demoApp', channelId: 'room-1' });
    expect(healthz(s.view.snapshot(), s.t.now(), 30_000).code).toBe(200);
    expect(await s.metrics.render()).toContain('artc_ingest_off_air_seconds_total 31');
  });

  it('treats no answer for the stale time as off air (the dock is closed: nobody supervises)', async () => {
    const s = setup();
    const seen: string[] = [];
    s.view.subscribe((x) => seen.push(x.kind));
    await s.store.write({ shouldBeLive: true, channel: CH });
    s.setUsers(['obs-1']);
    await s.api.participants({ appId: 'demoApp', channelId: 'room-1' });
    await s.t.advance(36_000);
    expect(s.view.snapshot()).toMatchObject({
      kind: 'recovering',
      reason: 'no-presence-answer',
      presence: { status: 'unknown' },
    });
    expect(seen.at(-1)).toBe('recovering');
    s.setFail('Throttling.User');
    await expect(s.api.participants({ appId: 'demoApp', channelId: 'room-1' })).rejects.toThrow();
    expect(await s.metrics.render()).toContain('outcome="Throttling.User"} 1');
    s.view.dispose();
    expect(s.t.pending).toBe(0);
  });
});
