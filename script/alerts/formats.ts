/**
 * One alert, five wire formats: our own `json` object, and the bodies DingTalk, Feishu/Lark, Slack and Discord
 * robots accept. The format is guessed from the webhook's host unless given. Texts start with "artc-ingest" so a
 * DingTalk robot with keyword security can be set to that keyword.
 */
import * as z from 'zod/mini';
import { dingtalkSignedUrl, feishuSign } from './sign.js';

export const ALERT_FORMATS = ['json', 'dingtalk', 'feishu', 'slack', 'discord'] as const;
export const AlertFormat = z.enum(ALERT_FORMATS);
export type AlertFormat = z.infer<typeof AlertFormat>;

export const ALERT_EVENTS = ['off-air', 'back-live', 'supervision-failed', 'storm', 'test'] as const;
export type AlertEventName = (typeof ALERT_EVENTS)[number];

/** The `json` format's body, field for field (a fixed contract). */
export const AlertBody = z.object({
  event: z.enum(ALERT_EVENTS),
  /** ISO 8601 */
  at: z.string(),
  appId: z.string(),
  channelId: z.string(),
  userId: z.string(),
  reason: z.string(),
  message: z.string(),
  offAirSeconds: z.number(),
});
export type AlertBody = z.infer<typeof AlertBody>;

export interface AlertTarget {
  url: string;
  format: AlertFormat;
  /** DingTalk/Feishu signing secret */
  secret?: string;
}

export function guessFormat(url: string): AlertFormat {
  let host = '';
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return 'json';
  }
  const is = (d: string) => host === d || host.endsWith(`.${d}`);
  if (is('dingtalk.com')) return 'dingtalk';
  if (is('feishu.cn') || is('larksuite.com')) return 'feishu';
  if (is('slack.com')) return 'slack';
  if (is('discord.com') || is('discordapp.com')) return 'discord';
  return 'json';
}

const TITLE: Record<AlertEventName, string> = {
  'off-air': 'OFF AIR',
  'back-live': 'back live',
  'supervision-failed': 'supervision FAILED',
  storm: 'recovery storm',
  test: 'test alert',
};

export function alertText(a: AlertBody): string {
  const who = `${a.appId}/${a.channelId} as ${a.userId}`;
  const off = a.offAirSeconds > 0 ? ` (off air ${Math.round(a.offAirSeconds)} s)` : '';
  return `artc-ingest: ${TITLE[a.event]}: ${who}${off}. ${a.message} [${a.reason}] at ${a.at}`;
}

/** The request for one target: URL (DingTalk signs in the query) and JSON body. */
export function buildPost(t: AlertTarget, a: AlertBody, nowMs: number): { url: string; body: string } {
  const text = alertText(a);
  switch (t.format) {
    case 'json':
      return { url: t.url, body: JSON.stringify(AlertBody.parse(a)) };
    case 'dingtalk':
      return {
        url: t.secret ? dingtalkSignedUrl(t.url, t.secret, nowMs) : t.url,
        body: JSON.stringify({ msgtype: 'text', text: { content: text } }),
      };
    case 'feishu': {
      const ts = Math.floor(nowMs / 1000);
      const signed = t.secret ? { timestamp: String(ts), sign: feishuSign(t.secret, ts) } : {};
      return { url: t.url, body: JSON.stringify({ ...signed, msg_type: 'text', content: { text } }) };
    }
    case 'slack':
      return { url: t.url, body: JSON.stringify({ text }) };
    case 'discord':
      return { url: t.url, body: JSON.stringify({ content: text.slice(0, 2000) }) };
  }
}

/** Where an alert goes, for logs: scheme and host only (robot URLs carry their access token in the path or query). */
export function describeTarget(t: AlertTarget): string {
  try {
    const u = new URL(t.url);
    return `${t.format} ${u.protocol}//${u.host}`;
  } catch {
    return t.format;
  }
}
