/**
 * The two operations, after the gateway has verified the call. Parameters arrive as query strings and
 * are checked with the project's zod schemas (the doc's rules): a missing one is MissingParameter, a bad
 * one InputInvalid.
 */
import { CreateParams, DEFAULT_EXPIRE_TIME, ParticipantsParams, formatIssues } from '../../shared/cloud-schemas.js';
import { sha256Hex } from '../cloud/sign-v3.js';
import { acs, type AcsError } from './acs-errors.js';
import { signAuthKey } from './auth-key.js';
import type { SandboxState } from './state.js';

export interface ActionContext {
  state: SandboxState;
  now: number;
  random: (bytes: number) => Uint8Array;
  privateKey: string;
  /** `rtmp://127.0.0.1:1935`: where the embedded ingest listens */
  rtmpOrigin: string;
}

type Result = AcsError | Record<string, unknown>;

/** `rtcdev` + 8 hex of sha256(AppId): one path segment of [A-Za-z0-9], as node-media-server requires. */
export function appNameFor(appId: string): string {
  return `rtcdev${sha256Hex(appId).slice(0, 8)}`;
}

/** Opaque: base64url of 18 random bytes (24 characters, no padding); never the user id. */
function newStreamName(random: ActionContext['random']): string {
  return Buffer.from(random(18)).toString('base64url');
}

function missing(query: Record<string, string>, names: readonly string[]): AcsError | undefined {
  const name = names.find((n) => query[n] === undefined);
  return name ? acs.missingParameter(name) : undefined;
}

/** Integer parameters come as text; anything but optional sign and digits is InputInvalid. */
function integerParam(query: Record<string, string>, name: string): number | undefined | AcsError {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (!/^-?\d{1,16}$/.test(raw)) return acs.inputInvalid(`${name}: ${name} must be an integer`);
  return Number(raw);
}

export function createRoomRealTimeStreamAddress(query: Record<string, string>, ctx: ActionContext): Result {
  const absent = missing(query, ['AppId', 'ChannelId', 'UserId', 'DisplayName']);
  if (absent) return absent;
  const expireTime = integerParam(query, 'ExpireTime');
  if (typeof expireTime === 'object') return expireTime;
  const parsed = CreateParams.safeParse({
    AppId: query.AppId,
    ChannelId: query.ChannelId,
    UserId: query.UserId,
    DisplayName: query.DisplayName,
    ExpireTime: expireTime,
  });
  if (!parsed.success) return acs.inputInvalid(formatIssues(parsed.error));
  const p = parsed.data;
  // The doc: "The user ID must be different from IDs of other users in the channel." A simulated (SDK)
  // user holding this id conflicts; the same id live over RTMP is this very ingest user asking again.
  if (ctx.state.isSimulated({ appId: p.AppId, channelId: p.ChannelId, userId: p.UserId })) {
    return acs.inputInvalid(`UserId: ${p.UserId} is already used by another user in channel ${p.ChannelId}`);
  }
  const app = appNameFor(p.AppId);
  const streamName = newStreamName(ctx.random);
  const timestamp = Math.floor(ctx.now / 1000) + (p.ExpireTime ?? DEFAULT_EXPIRE_TIME);
  const rand = Buffer.from(ctx.random(2)).toString('hex');
  const authKey = signAuthKey({ app, stream: streamName, timestamp, rand, uid: '0', privateKey: ctx.privateKey });
  ctx.state.issue({
    streamName,
    app,
    appId: p.AppId,
    channelId: p.ChannelId,
    userId: p.UserId,
    displayName: p.DisplayName,
    issuedAt: ctx.now,
    expiresAt: (timestamp + 1) * 1000,
  });
  return { RtmpAddress: `${ctx.rtmpOrigin}/${app}/${streamName}?auth_key=${authKey}` };
}

/**
 * Pages of the channel's users, newest first by default. `UserList` carries one comma-joined string per
 * page, as the doc sample shows (`["u1,u2,u3"]`); an empty page is `[]`.
 */
export function describeChannelParticipants(query: Record<string, string>, ctx: ActionContext): Result {
  const absent = missing(query, ['AppId', 'ChannelId']);
  if (absent) return absent;
  const pageNum = integerParam(query, 'PageNum');
  if (typeof pageNum === 'object') return pageNum;
  const pageSize = integerParam(query, 'PageSize');
  if (typeof pageSize === 'object') return pageSize;
  const parsed = ParticipantsParams.safeParse({
    AppId: query.AppId,
    ChannelId: query.ChannelId,
    PageNum: pageNum,
    PageSize: pageSize,
    Order: query.Order,
  });
  if (!parsed.success) return acs.inputInvalid(formatIssues(parsed.error));
  const p = parsed.data;
  const size = p.PageSize ?? 10;
  const page = p.PageNum ?? 1;
  const oldestFirst = ctx.state.participants(p.AppId, p.ChannelId);
  const ordered = (p.Order ?? 'desc') === 'asc' ? oldestFirst : [...oldestFirst].reverse();
  const slice = ordered.slice((page - 1) * size, page * size);
  return {
    Times: Math.floor(ctx.now / 1000),
    TotalNum: ordered.length,
    TotalPage: Math.ceil(ordered.length / size),
    UserList: slice.length ? [slice.join(',')] : [],
  };
}
