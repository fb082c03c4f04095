/**
 * The five channel fields as the user types them (strings), checked one by one with the shared zod schemas
 * so the dock, the helper and the CLI agree on every rule and message.
 */
import * as z from 'zod/mini';
import type { ChannelSettings } from '../../../shared/api-routes.js';
import { AppId, ChannelId, DisplayName, ExpireTime, UserId } from '../../../shared/cloud-schemas.js';

export const FIELDS = ['appId', 'channelId', 'userId', 'displayName', 'expireTime'] as const;
export type FieldName = (typeof FIELDS)[number];
export type FormValues = Record<FieldName, string>;
export type FormErrors = Partial<Record<FieldName, string>>;

export const EMPTY_FORM: FormValues = { appId: '', channelId: '', userId: '', displayName: '', expireTime: '' };

const SCHEMAS = {
  appId: AppId,
  channelId: ChannelId,
  userId: UserId,
  displayName: DisplayName,
  expireTime: ExpireTime,
} as const;

/** The schema's first message for this field, or undefined when the value is fine. */
export function validateField(name: FieldName, raw: string): string | undefined {
  if (name === 'expireTime') {
    const text = raw.trim();
    if (text === '') return undefined; // optional: the helper applies the 36,000 s default
    return firstIssue(ExpireTime, Number(text));
  }
  return firstIssue(SCHEMAS[name], raw);
}

export function validateForm(values: FormValues): { channel?: ChannelSettings; errors: FormErrors } {
  const errors: FormErrors = {};
  for (const f of FIELDS) {
    const e = validateField(f, values[f]);
    if (e) errors[f] = e;
  }
  if (Object.keys(errors).length) return { errors };
  const expire = values.expireTime.trim();
  const channel: ChannelSettings = {
    appId: values.appId,
    channelId: values.channelId,
    userId: values.userId,
    displayName: values.displayName,
    ...(expire ? { expireTime: Number(expire) } : {}),
  };
  return { channel, errors };
}

export function channelToValues(ch: ChannelSettings): FormValues {
  return {
    appId: ch.appId,
    channelId: ch.channelId,
    userId: ch.userId,
    displayName: ch.displayName,
    expireTime: ch.expireTime === undefined ? '' : String(ch.expireTime),
  };
}

export function sameChannel(a: ChannelSettings | undefined, b: ChannelSettings | undefined): boolean {
  if (!a || !b) return a === b;
  return FIELDS.every((f) => a[f] === b[f]);
}

function firstIssue(schema: z.ZodMiniType, value: unknown): string | undefined {
  const r = z.safeParse(schema, value);
  return r.success ? undefined : (r.error.issues[0]?.message ?? 'Invalid value');
}
