/**
 * Every alert format over real HTTP to local receivers: off-air, back-live, supervision-failed and storm, wired
 * as `run` wires them (startMonitoring: the monitor, the per-target queues, real fetch and timers), fed with the
 * snapshots a supervisor goes through. Nothing secret on the wire: not the stream key or its auth_key, not the
 * signing secret, not the OBS password. DingTalk and Feishu arrive signed.
 */
import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertFormat } from '../../script/alerts/formats.js';
import { startMonitoring } from '../../script/metrics/monitoring.js';
import { createMetrics } from '../../script/metrics/registry.js';
import type { Snapshot } from '../../shared/supervisor/index.js';
import { snap, STREAM_KEY } from '../helpers/monitoring-fixtures.js';
import { startReceiver, type Receiver } from '../helpers/alert-receiver.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'SECsigningsecret-abcdef0123456789';
const OBS_PASSWORD = 'obs-password-9f8e7d';
const FORMATS: AlertFormat[] = ['json', 'dingtalk', 'feishu', 'slack', 'discord'];

function textOf(format: AlertFormat, body: string): string {
  const o: unknown = JSON.parse(body);
  switch (format) {
    case 'json': {
      const j = o as { event: string; message: string };
      return `${j.event} ${j.message}`;
    }
    case 'dingtalk':
      return (o as { text: { content: string } }).text.content;
    case 'feishu':
      return (o as { content: { text: string } }).content.text;
    case 'slack':
      return (o as { text: string }).text;
    case 'discord':
      return (o as { content: string }).content;
  }
}

describe('alerts reach a local receiver in every format', () => {
  const receivers: Receiver[] = [];
  afterAll(async () => {
    for (const r of receivers) await r.close();
  });

  it.each(FORMATS)('%s: off-air, back-live, storm, supervision-failed', async (format) => {
    const rx = await startReceiver('ok');
    receivers.push(rx);
    let current: Snapshot = snap();
    const listeners = new Set<(s: Snapshot) => void>();
    const push = (s: Partial<Snapshot>) => {
      current = snap(s);
      for (const fn of listeners) fn(current);
    };
    const log: string[] = [];
    const metrics = createMetrics({
      version: 'test',
      defaultMetrics: false,
      source: { snapshot: () => current, channel: () => current.channel },
    });
    const mon = await startMonitoring({
      flags: {
        graceMs: 30_000,
        afterMs: 50,
        targets: [{ url: `${rx.url}/robot/send?access_token=ROBOTTOKEN`, format, secret: SECRET }],
      },
      metrics,
      say: () => undefined,
      view: {
        snapshot: () => current,
        subscribe: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
        appendLog: (l, r, m) => void log.push(`${l} ${r} ${m}`),
        secrets: () => [OBS_PASSWORD],
      },
    });
    const offAirSince = Date.now();
    const leak = `${STREAM_KEY} password=${OBS_PASSWORD}`;
    push({
      kind: 'recovering',
      trigger: 'obs-stopped',
      offAirSince,
      lastError: { code: 'Throttling.User', message: `denied: ${leak}` },
    });
    await waitFor(() => rx.received.length >= 1, { what: 'off-air', timeoutMs: 5_000, intervalMs: 20 });
    push({ kind: 'live' });
    push({
      kind: 'live',
      storming: true,
      counters: {
        recoveries: 6,
        recoveriesByReason: { 'publisher-absent': 6 },
        offAirMs: 0,
        lastRecoveryAt: Date.now(),
      },
    });
    push({
      kind: 'failed',
      locked: false,
      lastError: { code: 'InvalidAccessKeyId.NotFound', message: `Specified access key is not found (${leak})` },
    });
    await waitFor(() => rx.received.length >= 4, { what: 'four alerts', timeoutMs: 5_000, intervalMs: 20 });
    await mon.stop();

    const texts = rx.received.map((r) => textOf(format, r.body));
    const events =
      format === 'json'
        ? texts.map((t) => t.split(' ')[0])
        : texts.map((t) =>
            /OFF AIR/.test(t)
              ? 'off-air'
              : /back live/.test(t)
                ? 'back-live'
                : /storm/.test(t)
                  ? 'storm'
                  : /FAILED/.test(t)
                    ? 'supervision-failed'
                    : '?',
          );
    expect(events).toEqual(['off-air', 'back-live', 'storm', 'supervision-failed']);
    if (format !== 'json') for (const t of texts) expect(t).toMatch(/^artc-ingest: .* demoApp\/room-1 as obs-1/);
    if (format === 'json') {
      for (const r of rx.received)
        expect(Object.keys(JSON.parse(r.body))).toEqual([
          'event',
          'at',
          'appId',
          'channelId',
          'userId',
          'reason',
          'message',
          'offAirSeconds',
        ]);
      expect(JSON.parse(rx.received[1]!.body).offAirSeconds).toBeGreaterThan(0);
      expect(JSON.parse(rx.received[3]!.body).reason).toBe('InvalidAccessKeyId.NotFound');
    }
    for (const r of rx.received) {
      const wire = r.url + r.body;
      for (const secret of ['SECRETKEY0123456789', SECRET, OBS_PASSWORD]) expect(wire).not.toContain(secret);
      if (format === 'dingtalk') {
        const q = new URL(r.url, rx.url).searchParams;
        expect(q.get('sign')).toBe(
          createHmac('sha256', SECRET)
            .update(`${q.get('timestamp')}\n${SECRET}`)
            .digest('base64'),
        );
      }
      if (format === 'feishu') {
        const b = JSON.parse(r.body) as { timestamp: string; sign: string };
        expect(b.sign).toBe(createHmac('sha256', `${b.timestamp}\n${SECRET}`).update('').digest('base64'));
      }
    }
    expect(log).toEqual([]);
  });
});
