/**
 * A stand-in for STS (sts.aliyuncs.com, API 2015-04-01) AssumeRole, so a RamRoleArn profile can be tried
 * end to end on the sandbox: @alicloud/credentials signs AssumeRole with the profile's AccessKey (RPC,
 * HMAC-SHA1, RoleArn in a form body) over HTTPS; the answer's STS key is then accepted by the sandbox's
 * Live API with its SecurityToken until its Expiration. Any well-formed role ARN may be assumed by the
 * sandbox's own AccessKey (there is no RAM here to say otherwise).
 */
import { acs, type AcsError } from './acs-errors.js';
import type { GatewayKey } from './gateway.js';

export const STS_VERSION = '2015-04-01';
export const STS_ACTIONS = { AssumeRole: { method: 'POST' } } as const;
const ROLE_ARN = /^acs:ram::(\d+):role\/([A-Za-z0-9._-]{1,64})$/;
const SESSION_NAME = /^[A-Za-z0-9._@-]{2,64}$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Forgotten this long after expiry (until then a late request gets InvalidSecurityToken.Expired). */
const KEEP_EXPIRED_MS = 24 * 3600_000;

const base62 = (bytes: Uint8Array) => [...bytes].map((b) => BASE62[b % 62]).join('');

/** `2026-12-01T21:16:20Z`: the format STS answers (the credentials library refuses any other). */
export function stsTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export interface AssumeRoleContext {
  now: number;
  random: (n: number) => Uint8Array;
  /** where minted keys go, so the gateway accepts them */
  keys: Map<string, GatewayKey>;
}

function duration(raw: string | undefined): number | AcsError {
  if (raw === undefined) return 3600;
  if (!/^\d+$/.test(raw)) return acs.inputInvalid('DurationSeconds must be a whole number of seconds');
  const s = Number(raw);
  // STS: 900 s up to the role's maximum session duration (1 h by default, at most 12 h)
  if (s < 900 || s > 43_200)
    return {
      status: 400,
      code: 'InvalidParameter.DurationSeconds',
      message: 'The parameter DurationSeconds must be between 900 and the max session duration of the role.',
    };
  return s;
}

export function assumeRole(query: Record<string, string>, ctx: AssumeRoleContext): AcsError | Record<string, unknown> {
  const roleArn = query.RoleArn;
  if (!roleArn) return acs.missingParameter('RoleArn');
  const role = ROLE_ARN.exec(roleArn);
  if (!role)
    return { status: 400, code: 'InvalidParameter.RoleArn', message: 'The parameter RoleArn is wrongly formed.' };
  const session = query.RoleSessionName;
  if (!session) return acs.missingParameter('RoleSessionName');
  if (!SESSION_NAME.test(session))
    return {
      status: 400,
      code: 'InvalidParameter.RoleSessionName',
      message: 'The parameter RoleSessionName is wrongly formed.',
    };
  const seconds = duration(query.DurationSeconds);
  if (typeof seconds !== 'number') return seconds;

  for (const [id, k] of ctx.keys)
    if (k.expiresAt !== undefined && k.expiresAt + KEEP_EXPIRED_MS < ctx.now) ctx.keys.delete(id);
  const expiresAt = Math.floor((ctx.now + seconds * 1000) / 1000) * 1000;
  const key: GatewayKey = {
    accessKeyId: `STS.${base62(ctx.random(24))}`,
    accessKeySecret: base62(ctx.random(30)),
    securityToken: `CAIS${Buffer.from(ctx.random(96)).toString('base64')}`,
    expiresAt,
  };
  ctx.keys.set(key.accessKeyId, key);
  const roleId = `3${base62(ctx.random(16)).replace(/[^0-9]/g, '7')}`.slice(0, 18);
  return {
    AssumedRoleUser: {
      Arn: `acs:ram::${role[1]}:role/${role[2]!.toLowerCase()}/${session}`,
      AssumedRoleId: `${roleId}:${session}`,
    },
    Credentials: {
      AccessKeyId: key.accessKeyId,
      AccessKeySecret: key.accessKeySecret,
      SecurityToken: key.securityToken,
      Expiration: stsTime(expiresAt),
    },
  };
}
