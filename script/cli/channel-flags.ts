/** The channel flags shared by `url`, `participants` and `run`, validated with the shared schemas. */
import * as z from 'zod/mini';
import { AppId, ChannelId, DisplayName, ExpireTime, UserId } from '../../shared/cloud-schemas.js';
import { UsageError, type OptionSpec } from './command.js';

export const CHANNEL_OPTIONS: OptionSpec = {
  'app-id': { type: 'string' },
  'channel-id': { type: 'string' },
};

export const PUBLISHER_OPTIONS: OptionSpec = {
  ...CHANNEL_OPTIONS,
  'user-id': { type: 'string' },
  'display-name': { type: 'string' },
  'expire-time': { type: 'string' },
};

function check<T>(flag: string, schema: z.ZodMiniType<T>, value: unknown): T {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`--${flag}: ${r.error.issues[0]?.message ?? 'invalid value'}`);
  return r.data;
}

export function channelFromFlags(v: Record<string, unknown>) {
  return { AppId: check('app-id', AppId, v['app-id']), ChannelId: check('channel-id', ChannelId, v['channel-id']) };
}

export function publisherFromFlags(v: Record<string, unknown>) {
  const channel = channelFromFlags(v);
  const UserIdValue = check('user-id', UserId, v['user-id']);
  const DisplayNameValue = check('display-name', DisplayName, v['display-name']);
  let ExpireTimeValue: number | undefined;
  if (v['expire-time'] !== undefined) {
    const raw = String(v['expire-time']);
    if (!/^\d+$/.test(raw)) throw new UsageError(`--expire-time: must be a whole number of seconds, got "${raw}"`);
    ExpireTimeValue = check('expire-time', ExpireTime, Number(raw));
  }
  return {
    ...channel,
    UserId: UserIdValue,
    DisplayName: DisplayNameValue,
    ...(ExpireTimeValue !== undefined ? { ExpireTime: ExpireTimeValue } : {}),
  };
}
