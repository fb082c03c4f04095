/**
 * Alerts on a fake clock: the five wire formats and the robots' signatures (vectors computed with Python's
 * hmac), the monitor's events (off-air after the delay, back-live only after off-air, supervision-failed, storm,
 * each once per episode, nothing secret), and delivery that never blocks the caller: per-target queues, a 5 s
 * deadline per post, at most 3 tries with backoff + jitter, each failure logged.
 */
import { describe, expect, it } from 'vitest';
import { createDelivery } from '../../script/alerts/delivery.js';
import { parseMonitoringFlags } from '../../script/alerts/flags.js';
import { AlertBody, buildPost, guessFormat, type AlertTarget } from '../../script/alerts/formats.js';
import { createMonitor, scrub } from '../../script/alerts/monitor.js';
import { dingtalkSign, feishuSign } from '../../script/alerts/sign.js';
import { FakeTimers, snap, STREAM_KEY, T0 } from '../helpers/monitoring-fixtures.js';

const SECRET = 'SECtestsecret0123456789';
const ALERT: AlertBody = {
  event: 'off-air',
  at: new Date(T0).toISOString(),
  appId: 'demoApp',
  channelId: 'room-1',
  userId: 'obs-1',
  reason: 'obs-stopped',
  message: 'off air for more than 30 s',
  offAirSeconds: 31,
};

describe('formats and signing', () => {
  it('signs as DingTalk and Feishu document it', () => {
    expect(dingtalkSign(SECRET, 1767268800000)).toBe('Ls4fDh6L/I9waVWqH/9+9kSq4vj7aanm0ROTxR6Q5WE=');
    expect(feishuSign(SECRET, 1767268800)).toBe('d4dYse8eCoKXwwhrImAP2drKElfrd9WKuejt12reamY=');
  });

  it('guesses the format from the host, else json', () => {
    expect(guessFormat('https://oapi.dingtalk.com/robot/send?access_token=x')).toBe('dingtalk');
    expect(guessFormat('https://open.feishu.cn/open-apis/bot/v2/hook/x')).toBe('feishu');
    expect(guessFormat('https://open.larksuite.com/open-apis/bot/v2/hook/x')).toBe('feishu');
    expect(guessFormat('https://hooks.slack.com/services/a/b/c')).toBe('slack');
    expect(guessFormat('https://discord.com/api/webhooks/1/t')).toBe('discord');
    expect(guessFormat('https://evil-dingtalk.com.example/x')).toBe('json');
    expect(guessFormat('http://127.0.0.1:9/hook')).toBe('json');
  });

  it("builds each body; json is exactly the contract's object", () => {
    const t = (format: AlertTarget['format'], secret?: string): AlertTarget => ({
      url: 'http://127.0.0.1:9/hook?access_token=tok',
      format,
      ...(secret ? { secret } : {}),
    });
    const json = JSON.parse(buildPost(t('json'), ALERT, T0).body) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'event',
      'at',
      'appId',
      'channelId',
      'userId',
      'reason',
      'message',
      'offAirSeconds',
    ]);
    const ding = buildPost(t('dingtalk', SECRET), ALERT, 1767268800000);
    expect(new URL(ding.url).searchParams.get('sign')).toBe('Ls4fDh6L/I9waVWqH/9+9kSq4vj7aanm0ROTxR6Q5WE=');
    expect(new URL(ding.url).searchParams.get('timestamp')).toBe('1767268800000');
    expect(JSON.parse(ding.body)).toEqual({
      msgtype: 'text',
      text: { content: expect.stringMatching(/^artc-ingest: OFF AIR: demoApp\/room-1 as obs-1 \(off air 31 s\)/) },
    });
    const fs = JSON.parse(buildPost(t('feishu', SECRET), ALERT, 1767268800000).body);
    expect(fs).toMatchObject({
      timestamp: '1767268800',
      sign: 'd4dYse8eCoKXwwhrImAP2drKElfrd9WKuejt12reamY=',
      msg_type: 'text',
      content: { text: expect.stringContaining('OFF AIR') },
    });
    expect(JSON.parse(buildPost(t('slack'), ALERT, T0).body)).toEqual({ text: expect.stringContaining('OFF AIR') });
    expect(JSON.parse(buildPost(t('discord'), ALERT, T0).body)).toEqual({
      content: expect.stringContaining('OFF AIR'),
    });
    for (const f of ['json', 'dingtalk', 'feishu', 'slack', 'discord'] as const) {
      const p = buildPost(t(f, SECRET), ALERT, T0);
      expect(p.url + p.body).not.toContain(SECRET);
    }
  });

  it('reads webhooks from the flags (repeatable) or ARTC_INGEST_ALERT_WEBHOOK, format guessed per URL', () => {
    const f = parseMonitoringFlags(
      { 'alert-webhook': ['https://oapi.dingtalk.com/robot/send?access_token=a', 'http://127.0.0.1:9/h'] },
      {},
    );
    expect(f.targets.map((t) => t.format)).toEqual(['dingtalk', 'json']);
    expect(f.afterMs).toBe(30_000);
    expect(f.graceMs).toBe(30_000);
    expect(
      parseMonitoringFlags(
        {},
        { ARTC_INGEST_ALERT_WEBHOOK: 'https://hooks.slack.com/services/x http://127.0.0.1:9/h' },
      ).targets.map((t) => t.format),
    ).toEqual(['slack', 'json']);
    expect(
      parseMonitoringFlags(
        { 'alert-webhook': ['http://127.0.0.1:9/h'], 'alert-format': 'feishu', 'alert-secret': SECRET },
        {},
      ).targets,
    ).toEqual([{ url: 'http://127.0.0.1:9/h', format: 'feishu', secret: SECRET }]);
    expect(() =>
      parseMonitoringFlags({ 'alert-webhook': ['https://oapi.dingtalk.com:99999/robot/send?access_token=SEKRIT'] }, {}),
    ).toThrow(/^--alert-webhook: (?!.*SEKRIT)/);
  });
});

describe('the monitor', () => {
  function setup(afterMs = 30_000) {
    const t = new FakeTimers();
    const sent: AlertBody[] = [];
    const m = createMonitor({
      send: (a) => void sent.push(AlertBody.parse(a)),
      now: t.now,
      setTimer: t.setTimer,
      clearTimer: t.clearTimer,
      afterMs,
      secrets: () => ['obs-password-xyz'],
    });
    return { t, sent, m };
  }

  it('sends off-air once after the delay, and back-live with the time off air', async () => {
    const { t, sent, m } = setup();
    m.observe(snap());
    const down = snap({
      kind: 'recovering',
      trigger: 'obs-stopped',
      offAirSince: T0,
      since: T0,
      lastError: { code: 'Throttling.User', message: `denied for ${STREAM_KEY} password obs-password-xyz` },
    });
    m.observe(down);
    await t.advance(29_000);
    expect(sent).toEqual([]);
    m.observe({ ...down, kind: 'minting' });
    await t.advance(2_000);
    expect(sent.map((a) => a.event)).toEqual(['off-air']);
    expect(sent[0]).toMatchObject({
      reason: 'obs-stopped',
      offAirSeconds: 30,
      appId: 'demoApp',
      channelId: 'room-1',
      userId: 'obs-1',
    });
    await t.advance(60_000);
    m.observe(snap());
    expect(sent.map((a) => a.event)).toEqual(['off-air', 'back-live']);
    expect(sent[1]!.offAirSeconds).toBe(91);
    const all = JSON.stringify(sent);
    expect(all).not.toContain('SECRETKEY');
    expect(all).not.toContain('obs-password-xyz');
  });

  it('sends no back-live for an outage shorter than the delay', async () => {
    const { t, sent, m } = setup();
    m.observe(snap({ kind: 'recovering', offAirSince: T0 }));
    await t.advance(5_000);
    m.observe(snap());
    await t.advance(60_000);
    expect(sent).toEqual([]);
    expect(t.pending).toBe(0);
  });

  it('sends supervision-failed with why, and storm once per storm', () => {
    const { sent, m } = setup();
    m.observe(
      snap({
        storming: true,
        counters: { recoveries: 6, recoveriesByReason: { 'publisher-absent': 6 }, offAirMs: 0, lastRecoveryAt: T0 },
      }),
    );
    m.observe(snap({ storming: true }));
    m.observe(snap({ storming: false }));
    m.observe(snap({ storming: true }));
    m.observe(
      snap({
        kind: 'failed',
        locked: false,
        lastError: { code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' },
      }),
    );
    m.observe(snap({ kind: 'failed', locked: false }));
    expect(sent.map((a) => a.event)).toEqual(['storm', 'storm', 'supervision-failed']);
    expect(sent[2]).toMatchObject({
      reason: 'InvalidAccessKeyId.NotFound',
      message: expect.stringContaining('Specified access key is not found.'),
    });
  });

  it('scrubs auth_key and token parameters', () => {
    expect(scrub('rtmp://x/live/room?auth_key=123-0-0-abc&x=1 token=zzz', [])).toBe(
      'rtmp://x/live/room?auth_key=***&x=1 token=***',
    );
  });
});

describe('delivery', () => {
  function setup(answer: (n: number) => 'hang' | number) {
    const t = new FakeTimers();
    const log: string[] = [];
    const posts: Array<{ at: number; url: string }> = [];
    const fakeFetch = ((url: string, init: RequestInit) => {
      posts.push({ at: t.time, url });
      const a = answer(posts.length);
      if (a === 'hang')
        return new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        );
      return Promise.resolve(new Response('{}', { status: a }));
    }) as unknown as typeof fetch;
    const d = createDelivery([{ url: 'http://127.0.0.1:9/hook?access_token=TOKEN', format: 'json' }], {
      fetch: fakeFetch,
      now: t.now,
      random: () => 0.5,
      setTimer: t.setTimer,
      clearTimer: t.clearTimer,
      log: (level, reason, m) => void log.push(`${level} ${reason} ${m}`),
    });
    return { t, d, log, posts };
  }

  it("retries a 500 at most 3 times with backoff, logging each failure without the URL's token", async () => {
    const { t, d, log, posts } = setup(() => 500);
    d.send(ALERT);
    await t.advance(60_000);
    expect(posts).toHaveLength(3);
    // backoff: random 0.5 x base 1 s x 2^n + 0.5 s floor
    expect(posts[1]!.at - posts[0]!.at).toBe(1_000);
    expect(posts[2]!.at - posts[1]!.at).toBe(1_500);
    expect(log).toEqual([
      'warn alert-failed alert off-air to json http://127.0.0.1:9: try 1 of 3 failed (HTTP 500)',
      'warn alert-failed alert off-air to json http://127.0.0.1:9: try 2 of 3 failed (HTTP 500)',
      'warn alert-failed alert off-air to json http://127.0.0.1:9: try 3 of 3 failed (HTTP 500); giving up',
    ]);
    expect(log.join()).not.toContain('TOKEN');
  });

  it('gives a hanging robot 5 s per try, and send() never waits for it', async () => {
    const { t, d, log, posts } = setup(() => 'hang');
    const before = t.time;
    d.send(ALERT);
    d.send({ ...ALERT, event: 'back-live' });
    expect(t.time).toBe(before);
    await t.advance(4_999);
    expect(log).toEqual([]);
    await t.advance(1);
    expect(log[0]).toMatch(/try 1 of 3 failed \(no answer within 5 s\)/);
    await t.advance(60_000);
    expect(posts).toHaveLength(6);
    expect(await d.drain(1)).toBe(true);
  });

  it('stops after the first success, and drops the oldest when the queue is full', async () => {
    const { t, d, log, posts } = setup((n) => (n === 1 ? 'hang' : 200));
    for (let i = 0; i < 60; i++) d.send({ ...ALERT, offAirSeconds: i });
    expect(log.filter((l) => l.includes('alert-dropped'))).toHaveLength(9);
    await t.advance(120_000);
    expect(posts).toHaveLength(52);
  });

  it('close() cancels a post in flight and any backoff, leaving no timer behind (shutdown is not held up)', async () => {
    for (const at of [5_500, 6_500]) {
      // 5.5 s: the first try timed out, waiting out the backoff; 6.5 s: the second try in flight
      const { t, d, posts, log } = setup(() => 'hang');
      d.send(ALERT);
      await t.advance(at);
      expect(posts).toHaveLength(at < 6_000 ? 1 : 2);
      expect(t.pending).toBe(1);
      d.close();
      await t.advance(0);
      expect(t.pending).toBe(0);
      await t.advance(60_000);
      expect(posts).toHaveLength(at < 6_000 ? 1 : 2);
      expect(log).toHaveLength(1);
    }
  });
});
