/**
 * zod schemas for the two ApsaraVideo Live operations (API version 2016-11-01), the single source of
 * both runtime checks and TypeScript types. Written with `zod/mini` so the dock can share them without
 * blowing its bundle budget (full zod costs ~16 KB gzip more in the browser).
 *
 * Rules come from the CreateRoomRealTimeStreamAddress doc: AppId / ChannelId / UserId are "up to 64
 * characters ... letters, digits, underscores (_), and hyphens (-)"; DisplayName "up to 40 characters";
 * ExpireTime integer seconds, default 36,000 (10 h).
 */
import * as z from 'zod/mini';

export const API_VERSION = '2016-11-01';
export const DEFAULT_EXPIRE_TIME = 36_000;
export const DEFAULT_ENDPOINT = 'https://live.aliyuncs.com';

const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

function idSchema(label: string) {
  return z
    .string({ error: `${label} is required` })
    .check(
      z.minLength(1, { error: `${label} is required` }),
      z.maxLength(64, { error: `${label} must be at most 64 characters` }),
      z.regex(ID_PATTERN, { error: `${label} may contain only letters, digits, "_" and "-"` }),
    );
}

export const AppId = idSchema('AppId');
export const ChannelId = idSchema('ChannelId');
export const UserId = idSchema('UserId');

/** Counted in Unicode code points, not UTF-16 units, so "直播" is 2 characters as a user counts them. */
export const DisplayName = z.string({ error: 'DisplayName is required' }).check(
  z.refine((s) => [...s].length >= 1, { error: 'DisplayName is required' }),
  z.refine((s) => [...s].length <= 40, { error: 'DisplayName must be at most 40 characters' }),
  // eslint-disable-next-line no-control-regex -- matching control characters is the point of this check
  z.refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: 'DisplayName must not contain control characters' }),
);

/** Positive integer seconds. The doc gives no upper bound; we cap at 30 days to catch unit mistakes (ms). */
export const MAX_EXPIRE_TIME = 30 * 24 * 3600;
export const ExpireTime = z.number({ error: 'ExpireTime must be a number of seconds' }).check(
  z.refine((n) => Number.isInteger(n), { error: 'ExpireTime must be a whole number of seconds' }),
  z.refine((n) => n > 0, { error: 'ExpireTime must be a positive number of seconds' }),
  z.refine((n) => n <= MAX_EXPIRE_TIME, { error: `ExpireTime must be at most ${MAX_EXPIRE_TIME} seconds (30 days)` }),
);

export const CreateParams = z.object({
  AppId,
  ChannelId,
  UserId,
  DisplayName,
  ExpireTime: z.optional(ExpireTime),
});
export type CreateParams = z.infer<typeof CreateParams>;

export const ParticipantsParams = z.object({
  AppId,
  ChannelId,
  PageNum: z.optional(z.int().check(z.positive())),
  PageSize: z.optional(z.int().check(z.positive(), z.maximum(100))),
  Order: z.optional(z.enum(['asc', 'desc'])),
});
export type ParticipantsParams = z.infer<typeof ParticipantsParams>;

export const CreateResponse = z.object({
  RequestId: z.string().check(z.minLength(1)),
  RtmpAddress: z.string().check(z.minLength(1)),
});
export type CreateResponse = z.infer<typeof CreateResponse>;

/** `Times` is unix seconds per the doc (not `Timestamp`); numbers sometimes arrive as strings: coerce. */
const looseInt = z.pipe(
  z.union([z.number(), z.string().check(z.regex(/^\d+$/))]),
  z.transform((v) => Number(v)),
);

export const ParticipantsResponse = z.object({
  RequestId: z.string().check(z.minLength(1)),
  Times: z.optional(looseInt),
  TotalNum: z._default(looseInt, 0),
  TotalPage: z._default(looseInt, 0),
  UserList: z._default(z.array(z.string()), []),
});
export type ParticipantsResponse = z.infer<typeof ParticipantsResponse>;

/** The documented error body; newer gateways add `Recommend`. */
export const ErrorBody = z.object({
  RequestId: z.optional(z.string()),
  HostId: z.optional(z.string()),
  Code: z.string(),
  Message: z.optional(z.string()),
  Recommend: z.optional(z.string()),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The doc sample shows `["a,b,c"]`: one comma-joined string inside the array. Flatten, split, trim, dedupe. */
export function flattenUserList(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const item of list) {
    for (const part of item.split(',')) {
      const user = part.trim();
      if (user && !out.includes(user)) out.push(user);
    }
  }
  return out;
}

/** One line per problem, each naming the field: `AppId: AppId must be at most 64 characters`. */
export function formatIssues(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Expiry is computed locally as request time + ExpireTime: the doc does not say the auth_key timestamp means it. */
export function computeExpiry(requestTimeMs: number, expireTimeSec: number = DEFAULT_EXPIRE_TIME): number {
  return requestTimeMs + expireTimeSec * 1000;
}
