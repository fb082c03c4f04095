/**
 * One emulator on a fake clock, with helpers to sign requests (our signer), call the handler directly (no
 * port), drive a LiveApiClient through an injected fetch, and simulate RTMP publishes through the gate.
 */
import { LiveApiClient } from '../../script/cloud/api-client.js';
import { TokenBucket } from '../../script/cloud/rate-limit.js';
import { createEmulator, type EmulatorOptions } from '../../script/sandbox/emulator.js';
import { ACTIONS, type SandboxAction, type SandboxCredentials, type SandboxEvent } from '../../script/sandbox/types.js';
import { formatAcsDate, signRequest } from '../../script/cloud/sign-v3.js';
import { splitRtmpAddress } from '../../shared/rtmp-address.js';
import { API_VERSION } from '../../shared/cloud-schemas.js';

export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
export const HOST = '127.0.0.1:4467';
export const ENDPOINT = `http://${HOST}`;
export const PRIVATE_KEY = 'sandbox-private-key-for-tests';

/** Deterministic bytes (xorshift32), so ids and stream names repeat run to run. */
export function seededRandom(seed = 1): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out[i] = s & 0xff;
    }
    return out;
  };
}

export interface SignOptions {
  method?: 'GET' | 'POST';
  date?: string;
  nonce?: string;
  body?: string;
  credentials?: SandboxCredentials;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export function setup(opts: EmulatorOptions = {}) {
  let t = T0;
  const clock = {
    now: () => t,
    advance: (ms: number) => void (t += ms),
    sleep: async (ms: number) => void (t += ms),
  };
  const events: SandboxEvent[] = [];
  const emu = createEmulator({
    now: clock.now,
    random: seededRandom(7),
    rtmpOrigin: 'rtmp://127.0.0.1:1935',
    privateKey: PRIVATE_KEY,
    onEvent: (e) => events.push(e),
    ...opts,
  });
  let n = 0;
  const nonce = () => `nonce-${++n}`;

  function signed(action: SandboxAction, query: Record<string, string>, o: SignOptions = {}): Request {
    const method = o.method ?? ACTIONS[action].method;
    const s = signRequest({
      method,
      host: HOST,
      action,
      version: API_VERSION,
      query,
      body: o.body ?? '',
      date: o.date ?? formatAcsDate(clock.now()),
      nonce: o.nonce ?? nonce(),
      credentials: o.credentials ?? emu.credentials,
    });
    return new Request(ENDPOINT + s.pathAndQuery, {
      method,
      headers: s.headers,
      ...(method === 'POST' ? { body: s.body } : {}),
    });
  }

  async function call(req: Request): Promise<Answer> {
    const res = await emu.handle(req);
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  }

  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) =>
    emu.handle(new Request(input, init))) as typeof fetch;
  const client = new LiveApiClient({
    endpoint: ENDPOINT,
    credentials: emu.credentials,
    fetch: fetchFn,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0,
    nonce,
    limiter: new TokenBucket(1e6, 1e6),
  });

  /** What the ingest does for an RTMP publish of this address; `close` is what a kick calls. */
  function publish(rtmpAddress: string, sessionId: string, tamper?: (authKey: string) => string) {
    const { server, streamKey } = splitRtmpAddress(rtmpAddress);
    const app = server.slice(server.lastIndexOf('/') + 1);
    const [stream, query = ''] = streamKey.split('?');
    const authKey = new URLSearchParams(query).get('auth_key') ?? undefined;
    const state = { closed: false };
    const verdict = emu.gate.admit({
      sessionId,
      app,
      stream: stream!,
      authKey: authKey && tamper ? tamper(authKey) : authKey,
      close: () => {
        state.closed = true;
        emu.gate.end(sessionId);
      },
    });
    return { verdict, state, end: () => emu.gate.end(sessionId) };
  }

  async function createUrl(userId = 'obs-1', extra: Record<string, string> = {}) {
    const r = await call(
      signed('CreateRoomRealTimeStreamAddress', {
        AppId: 'app1',
        ChannelId: 'room1',
        UserId: userId,
        DisplayName: 'OBS',
        ...extra,
      }),
    );
    if (r.status !== 200) throw new Error(`CreateRoomRealTimeStreamAddress failed: ${JSON.stringify(r.body)}`);
    return r.body.RtmpAddress as string;
  }

  async function participants(query: Record<string, string> = {}) {
    return call(signed('DescribeChannelParticipants', { AppId: 'app1', ChannelId: 'room1', ...query }));
  }

  return { emu, clock, events, nonce, signed, call, client, fetch: fetchFn, publish, createUrl, participants };
}
