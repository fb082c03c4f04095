/**
 * Chat robots' request signing (their documented rules). DingTalk: sign = base64(HMAC-SHA256(key = secret,
 * msg = timestamp_ms + "\n" + secret)), URL-encoded into the query. Feishu/Lark: sign = base64(HMAC-SHA256(key =
 * timestamp_s + "\n" + secret, msg = "")), in the body. Only the HMAC leaves the machine, never the secret.
 */
import { createHmac } from 'node:crypto';

export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The robot URL with `&timestamp=…&sign=…` appended. */
export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', dingtalkSign(secret, timestampMs));
  return u.toString();
}

export function feishuSign(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}
