/**
 * Fixtures shared by the LiveApiClient unit tests: scripted fetch replies on a fake clock, a client over them, sample
 * bodies.
 */
import { vi } from 'vitest';
import { LiveApiClient } from '../../script/cloud/api-client.js';
import { TokenBucket } from '../../script/cloud/rate-limit.js';
import { fakeClock } from './fake-clock.js';

export const SECRET = 'S3cr3t-never-printed-0123456789';
export const CREDS = { accessKeyId: 'LTAItestkey', accessKeySecret: SECRET };

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

export function scripted(replies: Reply[], now: () => number) {
  const calls: { url: URL; init: RequestInit; at: number }[] = [];
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: new URL(String(input)), init: init ?? {}, at: now() });
    const r = replies.length > 1 ? replies.shift()! : replies[0]!;
    if (r instanceof Error) throw r;
    return new Response(r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body), {
      status: r.status,
      headers: r.headers,
    });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

export function client(replies: Reply[], extra: Partial<ConstructorParameters<typeof LiveApiClient>[0]> = {}) {
  const clock = fakeClock();
  const net = scripted(replies, clock.now);
  const c = new LiveApiClient({
    endpoint: 'https://live.aliyuncs.com',
    credentials: CREDS,
    fetch: net.fetch,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    nonce: () => 'nonce',
    limiter: new TokenBucket(),
    ...extra,
  });
  return { c, clock, calls: net.calls };
}

export const CREATE = { AppId: 'app1', ChannelId: 'room1', UserId: 'obs1', DisplayName: '主播 A*~' };
export const ADDRESS = 'rtmp://push.example.com/rtcdev1/H4sIAAAA_stream?auth_key=1700492701-6e33-0-c6d7e3a9';
export const err = (status: number, Code: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { RequestId: `REQ-${Code}`, HostId: 'live.aliyuncs.com', Code, Message: `${Code} happened` },
  headers,
});
