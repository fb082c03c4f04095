/**
 * URL signing "type A", as Alibaba Cloud CDN / ApsaraVideo Live use it for ingest URLs:
 *   auth_key = `${timestamp}-${rand}-${uid}-${md5hex}`
 *   md5hex   = md5(`/${APP}/${STREAM}-${timestamp}-${rand}-${uid}-${PrivateKey}`)
 * In this API the timestamp is the moment the URL stops being valid (request time + ExpireTime, in unix
 * seconds): the reference calls that unconfirmed for the real cloud, the sandbox defines it so.
 * Pure functions: the clock is a parameter.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface AuthKeyParts {
  /** unix seconds after which the URL is refused */
  timestamp: number;
  /** random string without "-" (the doc sample uses 4 hex digits) */
  rand: string;
  /** "0" unless a uid is bound */
  uid: string;
  md5: string;
}

export interface AuthKeyInput {
  app: string;
  stream: string;
  timestamp: number;
  rand: string;
  uid?: string;
  privateKey: string;
}

const AUTH_KEY = /^(\d{1,12})-([0-9A-Za-z]{1,64})-([0-9A-Za-z]{1,64})-([0-9a-f]{32})$/;

export function authKeyHash(input: AuthKeyInput): string {
  const uid = input.uid ?? '0';
  return createHash('md5')
    .update(`/${input.app}/${input.stream}-${input.timestamp}-${input.rand}-${uid}-${input.privateKey}`)
    .digest('hex');
}

export function signAuthKey(input: AuthKeyInput): string {
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0)
    throw new RangeError('auth_key timestamp must be whole unix seconds');
  if (!/^[0-9A-Za-z]+$/.test(input.rand) || !/^[0-9A-Za-z]+$/.test(input.uid ?? '0'))
    throw new RangeError('auth_key rand and uid must be alphanumeric');
  return `${input.timestamp}-${input.rand}-${input.uid ?? '0'}-${authKeyHash(input)}`;
}

export function parseAuthKey(value: string): AuthKeyParts | null {
  const m = AUTH_KEY.exec(value);
  if (!m) return null;
  return { timestamp: Number(m[1]), rand: m[2]!, uid: m[3]!, md5: m[4]! };
}

export type AuthKeyVerdict =
  /** expiresAtMs: the first instant at which the key is refused */
  | { ok: true; parts: AuthKeyParts; expiresAtMs: number }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired'; detail: string };

export interface VerifyInput {
  app: string;
  stream: string;
  /** the `auth_key` query value as received; an array when it was given more than once */
  authKey: string | readonly string[] | undefined;
  privateKey: string;
  nowMs: number;
}

/**
 * The signature is checked before the time, so a forged key never learns whether its timestamp would
 * pass. Valid through the whole second `timestamp`; refused once the clock is past it.
 */
export function verifyAuthKey(input: VerifyInput): AuthKeyVerdict {
  if (typeof input.authKey !== 'string') {
    return {
      ok: false,
      reason: 'malformed',
      detail: input.authKey === undefined ? 'no auth_key in the stream key' : 'auth_key given more than once',
    };
  }
  const parts = parseAuthKey(input.authKey);
  if (!parts) return { ok: false, reason: 'malformed', detail: 'auth_key is not timestamp-rand-uid-md5' };
  const expected = authKeyHash({
    app: input.app,
    stream: input.stream,
    timestamp: parts.timestamp,
    rand: parts.rand,
    uid: parts.uid,
    privateKey: input.privateKey,
  });
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(parts.md5))) {
    return { ok: false, reason: 'forged', detail: 'auth_key signature does not match this app/stream' };
  }
  if (Math.floor(input.nowMs / 1000) > parts.timestamp) {
    return {
      ok: false,
      reason: 'expired',
      detail: `auth_key expired at ${new Date(parts.timestamp * 1000).toISOString()}`,
    };
  }
  return { ok: true, parts, expiresAtMs: (parts.timestamp + 1) * 1000 };
}
